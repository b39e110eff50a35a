/** The state store on one SQLite database in the state folder. */
import { join } from 'node:path';
import type { StateStore } from '../state-store.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { SqliteSchedulerState } from './sqlite-scheduler-state.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';
import { openStateDatabase, STATE_DB_FILE } from './state-database.js';

export interface SqliteStateOptions {
  /** The clock of the queue (visibility, backoff) and of scheduler presence; tests inject one instead of sleeping. */
  readonly now?: () => number;
}

export async function openSqliteStateStore(dir: string, options: SqliteStateOptions = {}): Promise<StateStore> {
  const db = await openStateDatabase(dir);
  const now = options.now ?? Date.now;
  return {
    location: join(dir, STATE_DB_FILE),
    runs: new SqliteRunStore(db),
    queue: new SqliteWorkQueue(db, now),
    events: new SqliteEventLog(db),
    scheduler: new SqliteSchedulerState(db, now),
    close: () => db.close(),
  };
}
