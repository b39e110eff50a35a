/**
 * Opens the state database (`<state>/eventlake.db`) the way several processes can share it:
 * WAL (readers never wait for the writer), a busy timeout (writers queue instead of failing),
 * and migrations applied inside one IMMEDIATE transaction that re-reads the version, so a
 * dozen processes opening a fresh folder at once apply each migration exactly once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../errors/user-error.js';
import { ensureWritableFolder } from '../../storage/writable-folder.js';
import { MIGRATIONS } from './migrations.js';

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
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  });
}

export async function openStateDatabase(dir: string): Promise<StateDatabase> {
  try {
    await ensureWritableFolder(dir, 'state folder');
  } catch (err) {
    throw new UserError(`${(err as Error).message}; choose another with --state`);
  }
  const path = join(dir, STATE_DB_FILE);
  let db: StateDatabase;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new UserError(`cannot open the state database ${path}: ${(err as Error).message}`);
  }
  try {
    withBusyRetry(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot use the state database ${path}: ${(err as Error).message}`);
  }
  return db;
}
