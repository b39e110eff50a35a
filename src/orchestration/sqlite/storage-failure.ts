/**
 * What a failure of the disk under the state database means to the person: a full disk, a
 * read-only or forbidden folder, an I/O error or a damaged file, each one sentence naming the
 * folder or file (SQLite's result codes, or the file system's errno).
 */
import { dirname } from 'node:path';

/** The sentence for a storage failure of the state database, or undefined for an error of another kind. */
export function describeStorageFailure(err: unknown, path: string): string | undefined {
  const code = String((err as { code?: unknown }).code ?? '');
  const folder = dirname(path);
  const detail = `${(err as Error).message?.split('\n')[0] ?? ''} (${code})`;
  const kept = 'what was saved before is kept';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the state folder ${folder} is full: ${detail}; free some space there and run again (${kept})`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return `the state folder ${folder} cannot be written: ${detail}; make it writable or choose another state with --state (${kept})`;
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM') {
    return `the state folder ${folder} cannot be written: ${detail}; check its permissions or choose another state with --state (${kept})`;
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'EFBIG') return `the state database ${path} could not be read or written: ${detail}; check the disk of ${folder} (${kept})`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return `the state database ${path} is damaged: ${detail}; restore it from a backup, or move it away to start an empty state`;
  return undefined;
}
