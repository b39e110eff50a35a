/**
 * Makes sure a local folder exists and can be written, creating what is missing one level at a
 * time: `mkdir -p` in Node loops forever under paths such as /proc/foo, where every mkdir
 * answers ENOENT.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StorageLocationError } from './errors.js';

export async function ensureWritableFolder(path: string, what: string): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  let dir = target;
  for (;;) {
    const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new StorageLocationError(`${what} ${target} cannot be used (${err.code ?? err.message})`);
    });
    if (info) {
      if (!info.isDirectory()) {
        throw new StorageLocationError(dir === target ? `${what} ${target} is not a folder` : `${what} ${target} cannot be created: ${dir} is not a folder`);
      }
      break;
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      throw new StorageLocationError(`${what} ${target} cannot be created (${err.code ?? err.message})`);
    });
  }
  // Permissions alone do not tell (root ignores them; read-only mounts do not): try it.
  const probe = join(target, `.eventlake-write-test-${randomUUID()}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw new StorageLocationError(`${what} ${target} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  await rm(probe, { force: true });
}

/** The same for synchronous callers (the debug log): creates what is missing, level by level. */
export function makeFolderSync(path: string): void {
  const missing: string[] = [];
  let dir = resolve(path);
  while (!statSync(dir, { throwIfNoEntry: false })) {
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of missing) mkdirSync(folder);
}
