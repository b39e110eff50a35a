/**
 * The scheduler-state port: which schedulers (`eventlake up`) are alive on this state, so a
 * trigger enqueues for them instead of running in the foreground; how far each one's loop has
 * got (its ticks, for `eventlake status` and for tests that wait for ticks instead of sleeping);
 * and the marks a scheduler keeps across restarts (the last cron fire it has handled).
 */

/** A live scheduler and its progress. */
export interface SchedulerPresence {
  readonly owner: string;
  readonly lake: string;
  readonly source: string;
  readonly since: string;
  /** Ticks completed since it registered: each looked for due hours (a tick that failed is not counted). */
  readonly ticks: number;
  /** When its last completed tick began; absent before the first. */
  readonly lastTickAt?: string;
  /** Late-data checks completed (one every `lateData.checkEvery`, on a tick). */
  readonly lateChecks: number;
}

export interface SchedulerState {
  /** Registers `owner` as a live scheduler, with no ticks yet; it stays until unregistered or its process dies. */
  register(owner: string, info: { lake: string; source: string }): Promise<void>;
  unregister(owner: string): Promise<void>;
  /** Counts a completed tick of `owner` that began at `at`, and a late-data check when it made one. */
  recordTick(owner: string, at: Date, lateCheck: boolean): Promise<void>;
  /** Live schedulers, oldest first (dead ones are removed on the way). */
  live(): Promise<SchedulerPresence[]>;
  mark(key: string): Promise<string | undefined>;
  setMark(key: string, value: string): Promise<void>;
}
