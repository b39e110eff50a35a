/**
 * What `eventlake up` does on each tick besides working the queue: queue the hours the cron
 * schedule has made due (catching up from a start hour when asked), and look for late data
 * in hours that already succeeded. Its marks live in the state, so a restart neither skips
 * nor repeats a fire; so does its progress (ticks and late-data checks done), which status
 * shows and tests wait on.
 */
import { createHash } from 'node:crypto';
import { hourOf, parseHour, type Hour } from '../pipeline/hour.js';
import type { RunManifest } from '../pipeline/run-manifest.js';
import { planRun } from './plan-run.js';
import type { RunEvents } from './run-events.js';
import type { RunRecord, RunRequest, RunTrigger } from './run-store.js';
import { dueRuns, hoursOfFire } from './schedule/cron-schedule.js';
import { hourEnd } from './schedule/hour-clock.js';
import type { StateStore } from './state-store.js';

export type LateDataAction = 'rerun' | 'alert' | 'ignore';

export interface ScheduleSettings {
  readonly lake: string;
  readonly cron: string;
  readonly timezone: string;
  readonly delayMs: number;
  readonly catchup: boolean;
  /** The first hour catchup runs. */
  readonly start?: string;
  readonly tickMs: number;
  readonly lateData: {
    readonly action: LateDataAction;
    readonly lookBackMs: number;
    readonly checkEveryMs: number;
    /** Only hours this close to the newest hour run are looked at (48 h: the newest 48 hours). */
    readonly windowMs: number;
  };
  /** Finished runs this old lose their manifest and messages (config `retention.finishedRuns`); absent: kept. */
  readonly retentionMs?: number;
}

/** How often a scheduler prunes the state when a retention is set: cheap, but no need for more. */
export const PRUNE_EVERY_MS = 3_600_000;

/** Lists an hour's source as its run asked (a plan nobody runs): what the late-data check compares with. */
export type ListHour = (request: RunRequest, hour: Hour) => Promise<RunManifest>;

/** What a run's manifest planned, by object key: read once per run, not on every check. */
type PlannedObjects = ReadonlyMap<string, { readonly size: number; readonly etag?: string }>;

const HOUR_MS = 3_600_000;

/** Hours a tick queues at most: a catchup over years proceeds a batch per tick, oldest first. */
const FIRES_PER_TICK = 500;
/** Late objects named in an event; the counts cover them all. */
const LATE_KEYS_SHOWN = 20;

export interface LateObjects {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/** The state mark holding the last cron fire handled for a lake. */
export function fireMark(lake: string): string {
  return `schedule:last-fire:${lake}`;
}

export class Scheduler {
  private lastTick = 0;
  private lastLateCheck = 0;
  private lastPrune = Number.NEGATIVE_INFINITY;
  /** The planned objects of the runs the last check looked at. */
  private readonly planned = new Map<string, PlannedObjects>();

  /** `owner`: this process as registered in the state; its ticks are counted there. */
  constructor(
    private readonly state: StateStore,
    private readonly owner: string,
    private readonly events: RunEvents,
    private readonly submit: (hour: string, trigger: RunTrigger) => Promise<{ run: RunRecord; created: boolean }>,
    private readonly settings: ScheduleSettings,
    private readonly onQueued: (run: RunRecord) => void = () => undefined,
    private readonly listHour: ListHour = (request, hour) => planRun(request, hour),
  ) {}

  /**
   * Called on every wake of the work loop; ticks at most once per `tickMs`: queues what is due
   * and, every `checkEvery`, looks for late data. Answers whether it ticked. A tick is counted
   * in the state once its work is done, so whoever sees the count go up by N knows N more looks
   * have been made; a tick that fails (logged by the caller) is not counted.
   */
  async tick(now = new Date()): Promise<boolean> {
    if (now.getTime() - this.lastTick < this.settings.tickMs) return false;
    this.lastTick = now.getTime();
    await this.queueDueHours(now);
    const lateCheck = now.getTime() - this.lastLateCheck >= this.settings.lateData.checkEveryMs;
    if (lateCheck) {
      this.lastLateCheck = now.getTime();
      await this.checkLateData(now);
    }
    await this.pruneState(now);
    await this.state.scheduler.recordTick(this.owner, now, lateCheck);
    return true;
  }

  /** On the first tick and hourly after, finished runs past the retention lose their manifest and messages. */
  private async pruneState(now: Date): Promise<void> {
    const { retentionMs } = this.settings;
    if (retentionMs === undefined || now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    await this.state.retention.prune({ finishedBefore: new Date(now.getTime() - retentionMs) });
  }

  private async queueDueHours(now: Date): Promise<void> {
    const { cron, timezone, delayMs, catchup, start } = this.settings;
    const mark = await this.state.scheduler.mark(fireMark(this.settings.lake));
    const handled = mark === undefined ? undefined : new Date(mark);
    let after: Date | undefined;
    if (catchup) {
      // The fire that runs hour H comes at H's end: start just before the start hour's.
      const fromStart = start === undefined ? undefined : new Date(hourEnd(start, timezone).getTime() - 1);
      after = handled ?? fromStart;
    }
    let due = dueRuns({ cron, timezone, delayMs, after, until: now, limit: FIRES_PER_TICK });
    // Without catchup only the latest due fire runs, once.
    if (!catchup && handled !== undefined) due = due.filter((d) => d.fireAt > handled);
    for (const fire of due) {
      for (const hour of hoursOfFire({ cron, timezone, fireAt: fire.fireAt })) {
        const { run, created } = await this.submit(hour, catchup ? 'catchup' : 'schedule');
        if (created) this.onQueued(run);
      }
      await this.state.scheduler.setMark(fireMark(this.settings.lake), fire.fireAt.toISOString());
    }
  }

  /**
   * Hours that succeeded within the look-back whose source objects changed since their plan, among
   * the hours inside the window (the newest hours that succeeded): an old hour's source is not listed again
   * however many hours the lake holds, and each run's manifest is read once, not on every check.
   */
  async checkLateData(now = new Date()): Promise<void> {
    const since = now.getTime() - this.settings.lateData.lookBackMs;
    const fromHour = await this.windowStart();
    if (fromHour === undefined) return;
    const latest = new Map<string, RunRecord>();
    for (const run of await this.state.runs.list({ lake: this.settings.lake, fromHour })) {
      if (run.status === 'queued' || run.status === 'running') latest.set(run.hour, run);
      else if (!latest.has(run.hour)) latest.set(run.hour, run);
    }
    const looked = new Set<string>();
    for (const run of latest.values()) {
      if (run.status !== 'success' || run.finishedAt === undefined || Date.parse(run.finishedAt) < since) continue;
      looked.add(run.id);
      const late = await this.lateObjects(run);
      if (!late) continue;
      const digest = createHash('sha256').update(JSON.stringify(late)).digest('hex').slice(0, 16);
      const recorded = await this.events.record('late_data', `late_data:${run.id}:${digest}`, run, {
        action: this.settings.lateData.action,
        added: late.added.length,
        changed: late.changed.length,
        removed: late.removed.length,
        objects: [...late.added, ...late.changed, ...late.removed].slice(0, LATE_KEYS_SHOWN),
      });
      if (recorded && this.settings.lateData.action === 'rerun') {
        const { run: rerun, created } = await this.submit(run.hour, 'late_data');
        if (created) this.onQueued(rerun);
      }
    }
    for (const id of this.planned.keys()) if (!looked.has(id)) this.planned.delete(id);
  }

  /**
   * The first hour label inside the window, counted back from the newest hour that succeeded (on
   * a live schedule, the last hour; on a lake of old hours, its newest ones): a run of a later
   * hour that failed, say one with no objects yet, does not move the window past the hours that
   * have data.
   */
  private async windowStart(): Promise<string | undefined> {
    const newest = await this.state.runs.newestHour(this.settings.lake, 'success');
    const hour = newest === undefined ? undefined : parseHour(newest);
    if (!hour) return undefined;
    const hours = Math.max(1, Math.floor(this.settings.lateData.windowMs / HOUR_MS));
    return hourOf(new Date(Date.parse(`${hour.label}:00:00Z`) - (hours - 1) * HOUR_MS)).label;
  }

  private async plannedObjects(runId: string): Promise<PlannedObjects | undefined> {
    const known = this.planned.get(runId);
    if (known) return known;
    const manifest = await this.state.runs.manifest(runId);
    if (!manifest) return undefined;
    const planned = new Map(manifest.tasks.flatMap((t) => t.objects).map((o) => [o.key, o.etag === undefined ? { size: o.size } : { size: o.size, etag: o.etag }]));
    this.planned.set(runId, planned);
    return planned;
  }

  private async lateObjects(run: RunRecord): Promise<LateObjects | undefined> {
    const hour = parseHour(run.hour);
    const planned = hour && (await this.plannedObjects(run.id));
    if (!hour || !planned) return undefined;
    const now = await this.listHour(run.request, hour).catch(() => undefined);
    if (!now) return undefined;
    const seen = new Set<string>();
    const late: LateObjects = { added: [], changed: [], removed: [] };
    for (const object of now.tasks.flatMap((t) => t.objects)) {
      seen.add(object.key);
      const before = planned.get(object.key);
      if (!before) late.added.push(object.key);
      else if (before.size !== object.size || (before.etag !== undefined && before.etag !== object.etag)) late.changed.push(object.key);
    }
    for (const key of planned.keys()) if (!seen.has(key)) late.removed.push(key);
    return late.added.length + late.changed.length + late.removed.length > 0 ? late : undefined;
  }
}
