/**
 * The scheduler-state port: which schedulers (`eventlake up`) are alive on this state, so a
 * trigger enqueues for them instead of running in the foreground, and the marks a scheduler
 * keeps across restarts (the last cron fire it has handled, when late data was last checked).
 */
export interface SchedulerState {
  /** Registers `owner` as a live scheduler; refreshed by `heartbeat`. */
  register(owner: string, info: { lake: string; source: string }): Promise<void>;
  unregister(owner: string): Promise<void>;
  /** Live schedulers (dead ones are removed on the way). */
  live(): Promise<{ owner: string; lake: string; source: string; since: string }[]>;
  mark(key: string): Promise<string | undefined>;
  setMark(key: string, value: string): Promise<void>;
}
