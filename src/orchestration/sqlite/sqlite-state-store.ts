/** The state store on one SQLite database in the state folder. */
import { join } from 'node:path';
import type { StateStore } from '../state-store.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { SqliteSchedulerState } from './sqlite-scheduler-state.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';
import { openStateDatabase, STATE_DB_FILE } from './state-database.js';

export async function openSqliteStateStore(dir: string): Promise<StateStore> {
  const db = await openStateDatabase(dir);
  return {
    location: join(dir, STATE_DB_FILE),
    runs: new SqliteRunStore(db),
    queue: new SqliteWorkQueue(db),
    events: new SqliteEventLog(db),
    scheduler: new SqliteSchedulerState(db),
    close: () => db.close(),
  };
}
