/**
 * Looks at the state database file before SQLite opens it, so that a file that is missing,
 * emptied or cut short is named to the person instead of being silently made anew (SQLite
 * treats a 0-byte file as an empty database and would write a fresh schema into it).
 *
 * Reads only the file's first 100 bytes (the SQLite header): the page size, and the size in
 * pages the header promises when it is valid (https://www.sqlite.org/fileformat.html).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UserError } from '../../errors/user-error.js';

const MAGIC = 'SQLite format 3\0';
const HEADER_BYTES = 100;

/** The state database file is there, but not a whole SQLite database. */
export class DamagedStateError extends UserError {
  override readonly name = 'DamagedStateError';

  constructor(path: string, what: string) {
    super(
      `the state database ${path} is damaged (${what}); it was left as it is: restore it from a backup, or move it away to start an empty state`,
    );
  }
}

/**
 * What is wrong with a database file's header and size, or undefined when it looks whole.
 * `walPending`: a write-ahead log with content lies beside it. A checkpoint writes page 1 (and
 * its new page count) before the file has grown, so a kill mid-checkpoint leaves a file shorter
 * than its header says that SQLite recovers from the log: not damage.
 */
export function headerProblem(header: Buffer, size: number, walPending = false): string | undefined {
  if (size === 0) return '0 bytes';
  if (size < HEADER_BYTES || header.length < HEADER_BYTES || header.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return 'not a SQLite database';
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65_536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return 'not a SQLite database';
  if (size % pageSize !== 0) return `cut short: ${size} bytes, not a whole number of ${pageSize}-byte pages`;
  const pages = header.readUInt32BE(28);
  const valid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  if (valid && !walPending && size < pages * pageSize) return `cut short: ${size} of ${pages * pageSize} bytes`;
  return undefined;
}

/** Whether the database file exists; throws DamagedStateError when it exists but is not whole. */
export function checkStateFile(path: string): boolean {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return false;
  if (!info.isFile()) throw new UserError(`the state database ${path} is not a file; move it away or choose another state with --state`);
  const header = Buffer.alloc(HEADER_BYTES);
  let read = 0;
  if (info.size > 0) {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  }
  const walPending = (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0;
  const problem = headerProblem(header.subarray(0, read), info.size, walPending);
  if (problem) throw new DamagedStateError(path, problem);
  return true;
}
