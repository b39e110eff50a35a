/** Everything eventlake keeps in its state folder, opened together (one database locally). */
import type { EventLog } from './event-log.js';
import type { RunStore } from './run-store.js';
import type { SchedulerState } from './scheduler-state.js';
import type { WorkQueue } from './work-queue.js';

export interface StateStore {
  /** Where the state is, for messages. */
  readonly location: string;
  readonly runs: RunStore;
  readonly queue: WorkQueue;
  readonly events: EventLog;
  readonly scheduler: SchedulerState;
  close(): void;
}
