/**
 * When hours are due: a cron expression, read in the source's time zone, fires; each fire runs the
 * latest hour that had ended by then, once `delayMs` has passed for late files to land.
 */
import type { CronExpression } from 'cron-parser';
import { cronParser } from '../../config/load-on-demand.js';
import { UserError } from '../../errors/user-error.js';
import { isSkippedHour } from './runnable-hours.js';
import { addHours, hourEnd, hourLabelAt, hoursBetween, hourStart, validateTimezone } from './hour-clock.js';

export interface DueRun {
  /** When the cron fired. The run is due at `fireAt + delayMs`. */
  readonly fireAt: Date;
  /** The hour label it runs, in the schedule's time zone. */
  readonly hour: string;
}

export interface DueRunsQuery {
  readonly cron: string;
  /** IANA zone the cron and the hour labels are read in. */
  readonly timezone: string;
  /** How long after a fire the run waits, for files that land late. */
  readonly delayMs: number;
  /** The last fire already handled; undefined means only the most recent due fire counts. */
  readonly after: Date | undefined;
  /** Usually now: a fire is due once `fireAt + delayMs <= until`. */
  readonly until: Date;
  /** At most this many runs, the oldest first, so a long catchup proceeds in order. */
  readonly limit?: number;
}

const FIELDS = 'minute hour day-of-month month day-of-week';
const MINUTE_MS = 60_000;
const ALIASES = new Set(['@hourly', '@daily', '@weekly', '@weekdays', '@weekends', '@monthly', '@yearly', '@annually']);

function invalid(expr: string, reason: string): UserError {
  return new UserError(`schedule.cron "${expr}" is not a cron expression: ${reason}.`);
}

/** Throws a one-sentence UserError unless `expr` is a five-field cron expression or an @alias. */
export function validateCron(expr: string): void {
  parse(expr, 'UTC', new Date(0));
}

/**
 * Why `expr` cannot be the schedule, continuing a sentence, or undefined when it can: the one
 * rule config, environment and scheduler share, so what loads is what fires.
 */
export function cronProblem(expr: string): string | undefined {
  try {
    parse(expr, 'UTC', new Date(0));
    return undefined;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return error.message.replace(/^schedule\.cron ".*" is not a cron expression: /s, '').replace(/\.$/, '');
  }
}

/** A schedule that leaves a year without a fire (29 February) is as good as none for an hourly lake. */
const MAX_GAP_MS = 366 * 24 * 3_600_000;
/** From a leap year's start: the next fires show a gap wider than a year if there is one. */
const GAP_PROBE_FROM = new Date('2000-01-01T00:00:00Z');

function parse(expr: string, timezone: string, currentDate: Date): CronExpression {
  const text = expr.trim();
  if (text.startsWith('@')) {
    // Aliases finer than hourly would only run the same hour again and again.
    if (!ALIASES.has(text.toLowerCase())) throw invalid(expr, `the aliases are ${[...ALIASES].join(', ')}`);
  } else {
    const fields = text.split(/\s+/).filter(Boolean);
    // cron-parser also takes four fields and a seconds field; hours need neither, and a typo should not pass.
    if (fields.length !== 5) {
      throw invalid(expr, `it has ${fields.length} field${fields.length === 1 ? '' : 's'}, five are needed (${FIELDS})`);
    }
    // H picks a random minute unless seeded, so the same schedule would fire at different times per process.
    if (fields.some((field) => /(^|[,/-])h/i.test(field))) throw invalid(expr, 'hashed fields (H) are not supported');
  }
  validateTimezone(timezone);
  const source = text.startsWith('@') ? text.toLowerCase() : text;
  let parsed: CronExpression;
  try {
    parsed = cronParser().CronExpressionParser.parse(source, { tz: timezone, currentDate });
    // Some expressions parse but never fire (30 February); finding out costs one step.
    parsed.next();
    parsed.reset(currentDate);
  } catch (error) {
    throw invalid(expr, reasonOf(error));
  }
  if (yearWithoutFire(source)) throw invalid(expr, 'it fires less than once a year (29 February only), which schedules almost nothing');
  return parsed;
}

function yearWithoutFire(source: string): boolean {
  const probe = cronParser().CronExpressionParser.parse(source, { tz: 'UTC', currentDate: GAP_PROBE_FROM });
  let previous = GAP_PROBE_FROM.getTime();
  for (let i = 0; i < 3; i++) {
    const fire = probe.next().toDate().getTime();
    if (fire - previous > MAX_GAP_MS) return true;
    previous = fire;
  }
  return false;
}

/** cron-parser's message without its category prefix, e.g. "got value 61 expected range 0-59". */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/loop limit exceeded/i.test(message)) return 'it never fires';
  const reason = message.replace(/^(validation|constraint) error,\s*/i, '').replace(/\.$/, '');
  // It continues a sentence.
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * The hour a fire at `fireAt` runs: the latest label that had ended by then. For 15:00 and 15:15
 * that is 14. A label the clocks skipped is never returned (it holds no files), and around the
 * repeated hour in autumn two fires can name the same label, because that label ends only with
 * its second occurrence.
 */
export function hourForFire(fireAt: Date, timezone: string): string {
  let label = addHours(hourLabelAt(fireAt, timezone), -1);
  // At most a step or two: only DST transitions make the previous label unfinished or empty.
  for (;;) {
    const end = hourEnd(label, timezone);
    if (end.getTime() <= fireAt.getTime() && hourStart(label, timezone).getTime() < end.getTime()) return label;
    label = addHours(label, -1);
  }
}

/**
 * Every fire F with `after < F` and `F + delayMs <= until`, oldest first, each with its hour.
 * With `after` undefined, only the most recent such fire (catchup off, like Airflow's
 * catchup=False). `limit` keeps the oldest ones so a catchup continues from where it stopped.
 */
export function dueRuns(query: DueRunsQuery): DueRun[] {
  const { cron, timezone, delayMs, after, until, limit } = query;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new RangeError(`dueRuns limit must be a whole number of at least 0, not ${limit}.`);
  }
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`dueRuns delayMs must be 0 or more, not ${delayMs}.`);
  const latest = until.getTime() - delayMs;
  const cap = limit ?? Number.POSITIVE_INFINITY;
  if (cap === 0) return [];
  const fires: Date[] = [];
  if (after === undefined) {
    // Start a minute late and step back: the parser's handling of milliseconds is not its contract.
    const schedule = parse(cron, timezone, new Date(latest + MINUTE_MS));
    for (;;) {
      const fire = schedule.prev().toDate();
      if (fire.getTime() <= latest) {
        fires.push(fire);
        break;
      }
    }
  } else {
    // Start a minute early and skip what is not after `after`, for the same reason.
    const schedule = parse(cron, timezone, new Date(after.getTime() - MINUTE_MS));
    while (fires.length < cap) {
      const fire = schedule.next().toDate();
      if (fire.getTime() > latest) break;
      if (fire.getTime() > after.getTime()) fires.push(fire);
    }
  }
  return fires.map((fireAt) => ({ fireAt, hour: hourForFire(fireAt, timezone) }));
}

/** The first fire after `after`, for showing when the schedule runs next. */
export function nextFire(query: { readonly cron: string; readonly timezone: string; readonly after: Date }): Date {
  const schedule = parse(query.cron, query.timezone, new Date(query.after.getTime() - MINUTE_MS));
  for (;;) {
    const fire = schedule.next().toDate();
    if (fire.getTime() > query.after.getTime()) return fire;
  }
}

/**
 * The hours a fire runs: every hour that ended since the fire before it (Airflow's data
 * interval), so a schedule coarser than hourly (`0 *\/2 * * *`, `@daily`) still runs every
 * hour once. For an hourly schedule that is the fire's own hour.
 */
export function hoursOfFire(query: { readonly cron: string; readonly timezone: string; readonly fireAt: Date }): string[] {
  const schedule = parse(query.cron, query.timezone, query.fireAt);
  const previous = schedule.prev().toDate();
  const last = hourForFire(query.fireAt, query.timezone);
  const first = hourForFire(previous, query.timezone);
  if (first >= last) return [last];
  // Walked in the zone: a label its clocks skipped holds no files and is not run.
  return hoursBetween(addHours(first, 1), last).filter((label) => !isSkippedHour(label, query.timezone));
}
