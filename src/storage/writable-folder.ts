/**
 * Makes sure a local folder exists and can be written, creating what is missing one level at a
 * time: `mkdir -p` in Node loops forever under paths such as /proc/foo, where every mkdir
 * answers ENOENT.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StorageLocationError } from './errors.js';

/** A path on the way to the folder is a file. */
class NotAFolder extends Error {
  constructor(readonly path: string) {
    super(`${path} is not a folder`);
  }
}

/**
 * Creates the folders missing from `path`, level by level (synchronous: it runs once, at
 * start-up, and the debug log needs it before anything else). Throws NotAFolder or the file
 * system's error.
 */
export function makeFolderSync(path: string): void {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    let info;
    try {
      info = statSync(dir, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err; // a file further up: found below
    }
    if (info) {
      if (!info.isDirectory()) throw new NotAFolder(dir);
      break;
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export async function ensureWritableFolder(path: string, what: string): Promise<void> {
  const target = resolve(path);
  const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  try {
    makeFolderSync(target);
  } catch (err) {
    if (!(err instanceof NotAFolder)) throw new StorageLocationError(`${what} ${target} cannot be created (${code(err)})`);
    throw new StorageLocationError(err.path === target ? `${what} ${target} is not a folder` : `${what} ${target} cannot be created: ${err.message}`);
  }
  // Permissions alone do not tell (root ignores them; read-only mounts do not): try it.
  const probe = join(target, `.eventlake-write-test-${randomUUID()}`);
  try {
    writeFileSync(probe, '');
  } catch (err) {
    throw new StorageLocationError(`${what} ${target} is not writable (${code(err)})`);
  }
  rmSync(probe, { force: true });
}
