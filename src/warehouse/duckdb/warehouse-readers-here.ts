/**
 * The warehouse files this process has open for reading. Another process's reader holds a DuckDB
 * file lock, so a build that tries to write that file gets "Could not set lock" at once; a reader
 * in the build's own process holds none (POSIX locks belong to the process: DuckDB was measured
 * to open for writing, without a word, a file the same process had open read-only). So the
 * readers here say which file they opened, and a build never writes one of those.
 */
import { resolve } from 'node:path';

const opening = new Map<string, number>();
const held = new Map<string, number>();

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

export interface ReaderHold {
  /** The reader opened this file (DuckDB's own path for it: links resolved). */
  opened(file: string): void;
  release(): void;
}

/** Call before opening the warehouse of `stateDir` to read it; release when closed. */
export function holdForReading(stateDir: string): ReaderHold {
  const dir = resolve(stateDir);
  bump(opening, dir, 1);
  let file: string | undefined;
  let done = false;
  return {
    opened(path) {
      if (done || file !== undefined) return;
      file = resolve(path);
      bump(held, file, 1);
      bump(opening, dir, -1);
    },
    release() {
      if (done) return;
      done = true;
      if (file === undefined) bump(opening, dir, -1);
      else bump(held, file, -1);
    },
  };
}

/**
 * Whether a reader in this process may have `file` open: it holds it, or a reader of the same
 * state folder is opening and has not said which file yet.
 */
export function readHere(stateDir: string, file: string): boolean {
  return held.has(resolve(file)) || opening.has(resolve(stateDir));
}
