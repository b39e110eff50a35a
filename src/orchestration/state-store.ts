/** Everything eventlake keeps in its state folder, opened together (one database locally). */
import type { EventLog } from './event-log.js';
import type { RunStore } from './run-store.js';
import type { SchedulerState } from './scheduler-state.js';
import type { StateRetention } from './state-retention.js';
import type { WorkQueue } from './work-queue.js';

export interface StateStore {
  /** Where the state is, for messages. */
  readonly location: string;
  readonly runs: RunStore;
  readonly queue: WorkQueue;
  readonly events: EventLog;
  readonly scheduler: SchedulerState;
  readonly retention: StateRetention;
  /**
   * Called once when the state can no longer be used by this process (its file deleted or
   * replaced, its disk full or read-only, the file damaged), with the one sentence that says
   * so; every use of the state throws that sentence from then on. A long-lived process stops.
   */
  onFailure(listener: (err: Error) => void): void;
  close(): void;
}
