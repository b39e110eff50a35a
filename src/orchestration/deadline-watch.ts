/**
 * Deadline alerts that fire while a run is late, not after it ends: on each check, a queued or
 * running hour that is not in the lake by its hour's end plus `afterHourEndMs` (when it was
 * queued before that), or a run
 * running for longer than `maxRunDurationMs`, is recorded as a deadline miss. The event's key
 * makes it one miss per hour (or per run), whichever process sees it first and however often
 * it restarts, so its callback fires exactly once.
 */
import type { RunEvents } from './run-events.js';
import type { RunStore } from './run-store.js';
import { hourEnd } from './schedule/hour-clock.js';

export interface Deadlines {
  readonly afterHourEndMs: number | null;
  readonly maxRunDurationMs: number | null;
}

/** Hour ends remembered at most: a backfill can queue thousands of hours. */
const MAX_REMEMBERED = 10_000;

export class DeadlineWatch {
  private readonly hourEnds = new Map<string, number>();

  constructor(
    private readonly runs: RunStore,
    private readonly events: RunEvents,
    private readonly deadlines: Deadlines,
  ) {}

  private hourEndMs(hour: string, timezone: string): number {
    const key = `${timezone} ${hour}`;
    let end = this.hourEnds.get(key);
    if (end === undefined) {
      if (this.hourEnds.size >= MAX_REMEMBERED) this.hourEnds.clear();
      end = hourEnd(hour, timezone).getTime();
      this.hourEnds.set(key, end);
    }
    return end;
  }

  async check(now = Date.now()): Promise<void> {
    const { afterHourEndMs, maxRunDurationMs } = this.deadlines;
    if (afterHourEndMs === null && maxRunDurationMs === null) return;
    const pending = [...(await this.runs.list({ status: 'running' })), ...(await this.runs.list({ status: 'queued' }))];
    for (const run of pending) {
      if (afterHourEndMs !== null) {
        const due = this.hourEndMs(run.hour, run.request.timezone) + afterHourEndMs;
        // A run queued after its deadline (a backfill of old hours) could never have made it: no alert.
        if (now > due && Date.parse(run.queuedAt) < due) {
          await this.events.record('deadline_miss', `deadline_miss:landing:${run.lake}:${run.hour}`, run, {
            deadline: 'landing',
            deadlineAt: new Date(due).toISOString(),
          });
        }
      }
      if (maxRunDurationMs !== null && run.status === 'running' && run.startedAt) {
        const due = Date.parse(run.startedAt) + maxRunDurationMs;
        if (now > due) {
          await this.events.record('deadline_miss', `deadline_miss:duration:${run.id}`, run, {
            deadline: 'duration',
            deadlineAt: new Date(due).toISOString(),
          });
        }
      }
    }
  }
}
