/** The state store on one SQLite database in the state folder. */
import type { StateStore } from '../state-store.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { SqliteSchedulerState } from './sqlite-scheduler-state.js';
import { SqliteStateRetention } from './sqlite-state-retention.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';
import { openState } from './state-database.js';
import { StateGuard } from './state-guard.js';

export interface SqliteStateOptions {
  /** The clock of the queue (visibility, backoff) and of scheduler presence; tests inject one instead of sleeping. */
  readonly now?: () => number;
  /** Make the state when there is none (default true); false: fail naming the path, making nothing. */
  readonly create?: boolean;
}

export async function openSqliteStateStore(dir: string, options: SqliteStateOptions = {}): Promise<StateStore> {
  const opened = await openState(dir, options.create === undefined ? {} : { create: options.create });
  const { db } = opened;
  const now = options.now ?? Date.now;
  // Every use of the state first checks that its file is still the one opened.
  const guard = new StateGuard(opened);
  return {
    location: opened.path,
    runs: guard.wrap(new SqliteRunStore(db, now)),
    queue: guard.wrap(new SqliteWorkQueue(db, now)),
    events: guard.wrap(new SqliteEventLog(db)),
    scheduler: guard.wrap(new SqliteSchedulerState(db, now)),
    retention: guard.wrap(new SqliteStateRetention(db, now)),
    onFailure: (listener) => guard.onFailure(listener),
    close: () => db.close(),
  };
}
