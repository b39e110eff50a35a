/**
 * Opens the state database (`<state>/eventlake.db`) the way several processes can share it:
 * WAL (readers never wait for the writer), a busy timeout (writers queue instead of failing),
 * and migrations applied inside one IMMEDIATE transaction that re-reads the version, so a
 * dozen processes opening a fresh folder at once apply each migration exactly once.
 *
 * Damage is never silent: a missing, emptied or cut-short file is named, not made anew (a
 * fresh database is made beside its place and linked in whole), a folder whose state is gone
 * (its `eventlake.db.id` remains) is refused, and a command that only reads makes nothing.
 */
import { randomUUID } from 'node:crypto';
import { constants, copyFileSync, existsSync, linkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../errors/user-error.js';
import { ensureWritableFolder } from '../../storage/writable-folder.js';
import { MIGRATIONS } from './migrations.js';
import { checkStateFile, DamagedStateError } from './state-file-check.js';
import { describeStorageFailure } from './storage-failure.js';
import { markerPath, readMarker, STATE_ID_MARK, writeMarker } from './state-id-marker.js';

export type StateDatabase = Database.Database;

export const STATE_DB_FILE = 'eventlake.db';
const BUSY_TIMEOUT_MS = 30_000;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** Switching a fresh file to WAL takes the write lock without waiting on the busy handler: retry. */
function withBusyRetry<T>(work: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return work();
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
    }
  }
}

export function migrate(db: StateDatabase): void {
  withBusyRetry(() => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new UserError(`the state database is at schema version ${version}, newer than this eventlake knows (${MIGRATIONS.length}); upgrade eventlake`);
      }
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
      // Not a schema change: a row of the marks table, the state's id (states made before had none).
      db.prepare(`INSERT INTO marks (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`).run(STATE_ID_MARK, randomUUID());
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  });
}

export interface OpenStateOptions {
  /** Make the state when the folder has none (commands that write); false: refuse (commands that only read). */
  readonly create?: boolean;
}

/** An open state database and what it was when opened, to notice later that the file was deleted or replaced. */
export interface OpenedState {
  readonly db: StateDatabase;
  readonly path: string;
  /** The state's id (mark `state.id`, the same as in `eventlake.db.id`). */
  readonly id: string;
  /** The file's identity when opened: device and inode. */
  readonly file: { readonly dev: number; readonly ino: number };
}

function configure(db: StateDatabase): void {
  withBusyRetry(() => db.pragma('journal_mode = WAL'));
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
}

/** The state's id, given to it in the migrating transaction the first time this eventlake opens it. */
function stateId(db: StateDatabase): string {
  return (db.prepare(`SELECT value FROM marks WHERE key = ?`).get(STATE_ID_MARK) as { value: string }).value;
}

/**
 * Makes a fresh database beside its place and links it there in one step (unless another
 * process did first): a database file at its place is always a whole one, so a file of
 * 0 bytes there is damage, never a database being made.
 */
function createDatabase(path: string): void {
  const making = `${path}.new-${randomUUID()}`;
  try {
    const db = new Database(making, { timeout: BUSY_TIMEOUT_MS });
    try {
      configure(db);
      migrate(db);
    } finally {
      db.close();
    }
    try {
      linkSync(making, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // File systems without hard links: copied, never over a database made meanwhile.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') copyFileSync(making, path, constants.COPYFILE_EXCL);
      else throw err;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new UserError(describeStorageFailure(err, path) ?? `cannot create the state database ${path}: ${describeFailure(err)}`);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${making}${suffix}`, { force: true });
  }
}

function describeFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.message.split('\n')[0] ?? ''} (${e.code})` : String(e.message ?? err);
}

function missingState(dir: string, path: string): UserError {
  return new UserError(`no eventlake state in ${dir} (${path} does not exist): eventlake run or up creates it; check --state, the config's state or EVENTLAKE_STATE`);
}

/** The state database alone (tests of one table's store). */
export async function openStateDatabase(dir: string, options: OpenStateOptions = {}): Promise<StateDatabase> {
  return (await openState(dir, options)).db;
}

export async function openState(dir: string, options: OpenStateOptions = {}): Promise<OpenedState> {
  const create = options.create ?? true;
  const path = join(dir, STATE_DB_FILE);
  if (!create) {
    // Nothing is made for a command that only reads: not the folder, not the file.
    if (!existsSync(path) && ![markerPath(path), `${path}-wal`].some((file) => existsSync(file))) throw missingState(dir, path);
  } else {
    try {
      await ensureWritableFolder(dir, 'state folder');
    } catch (err) {
      throw new UserError(`${(err as Error).message}; choose another with --state`);
    }
  }
  if (!checkStateFile(path)) {
    // Its marker, or its write-ahead log (which SQLite would replay into any new database there).
    const evidence = [markerPath(path), `${path}-wal`].filter((file) => existsSync(file));
    if (evidence.length > 0) {
      const remove = [...evidence, ...[`${path}-shm`].filter((file) => existsSync(file))];
      throw new UserError(
        `the state database ${path} is missing, though this folder held one (${evidence.join(' and ')} ${evidence.length === 1 ? 'is' : 'are'} still there): put the database back, or delete ${remove.join(' and ')} to start an empty state`,
      );
    }
    if (!create) throw missingState(dir, path);
    createDatabase(path);
  }
  let db: StateDatabase;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  } catch (err) {
    throw new UserError(describeStorageFailure(err, path) ?? `cannot open the state database ${path}: ${describeFailure(err)}`);
  }
  try {
    configure(db);
    migrate(db);
    const id = stateId(db);
    const recorded = readMarker(path) ?? (create ? writeMarker(path, id) : id);
    if (recorded !== id) {
      throw new UserError(
        `the state database ${path} is not the one this folder held (${markerPath(path)} names state ${recorded}, the database is state ${id}): put the right database back, or delete ${markerPath(path)} to use this one`,
      );
    }
    const info = statSync(path);
    return { db, path, id, file: { dev: info.dev, ino: info.ino } };
  } catch (err) {
    db.close();
    if (err instanceof UserError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) throw new DamagedStateError(path, describeFailure(err));
    throw new UserError(describeStorageFailure(err, path) ?? `cannot use the state database ${path}: ${describeFailure(err)}`);
  }
}
