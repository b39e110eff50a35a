/**
 * Hour labels (`YYYY-MM-DDTHH`) are local wall-clock hours in a source's IANA time zone, because
 * that is how source file names are written. This file turns labels into instants and back.
 *
 * Offsets come from Intl.DateTimeFormat: Node ships ICU with the tz database, so the zone rules
 * are as current as the Node release and no timezone library has to be kept up to date.
 *
 * Definitions, including the two DST transitions:
 * - `hourStart(L)` is the first instant whose local label is L. A label that occurs twice (the
 *   hour repeated when clocks go back) starts at its first occurrence. A label skipped when
 *   clocks go forward has no instant of its own; it starts at the instant the clock jumps, which
 *   is also the start of the next label (Berlin 2024-03-31T02 → 01:00Z, shown as 03:00 CEST).
 * - `hourEnd(L)` is `hourStart` of the following label. Usually one hour after the start; the
 *   repeated label lasts two hours (it ends when the second occurrence does) and a skipped label
 *   lasts none (its start equals its end).
 */
import { UserError } from '../../errors/user-error.js';
import { hourOf, parseHour } from '../../pipeline/hour.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The most labels `hoursBetween` lists unless told otherwise: over a year of hours. */
export const MAX_HOURS_BETWEEN = 10_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for a zone, made once: building one is far slower than using it. */
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        // h23, not hour12: false, which shows midnight as 24 in some ICU versions.
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UserError(`timezone "${timezone}" is not an IANA time zone name such as UTC or Europe/Berlin.`);
    }
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Throws a one-sentence UserError unless `timezone` is a zone Intl knows. */
export function validateTimezone(timezone: string): void {
  formatterFor(timezone);
}

/** The local wall-clock time at `ms`, written as if it were a UTC instant (whole seconds). */
function wallClockMs(ms: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  wall.setUTCFullYear(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1);
  wall.setUTCHours(parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0, 0);
  return wall.getTime();
}

/** How far the zone's clock is ahead of UTC at `ms`. */
function offsetMs(ms: number, timezone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClockMs(whole, timezone) - whole;
}

function labelMs(label: string): number {
  const hour = parseHour(label);
  // Accept only the canonical label: the variants parseHour also reads are for people typing flags.
  if (hour === undefined || hour.label !== label) {
    throw new UserError(`"${label}" is not an hour label like 2019-06-01T15.`);
  }
  return Date.parse(`${label}:00:00Z`);
}

export function hourStart(label: string, timezone: string): Date {
  const wall = labelMs(label);
  // UTC has one offset, always: no need to ask Intl (the deadline watch asks for every queued run).
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return new Date(wall);
  // Every offset that applies within a day either side; a label can only use one of these.
  const offsets = new Set([-2, -1, 0, 1, 2].map((days) => offsetMs(wall + days * DAY_MS, timezone)));
  const occurrences = [...offsets].map((offset) => wall - offset).filter((ms) => wallClockMs(ms, timezone) === wall);
  if (occurrences.length > 0) return new Date(Math.min(...occurrences));
  return new Date(gapEnd(wall, timezone, Math.min(...offsets), Math.max(...offsets)));
}

/**
 * The instant the clock jumps over a wall time `wall` that never happens: the first instant whose
 * wall clock is past it. It lies between reading `wall` with the larger and the smaller offset.
 */
function gapEnd(wall: number, timezone: string, smallest: number, largest: number): number {
  let before = wall - largest;
  let after = wall - smallest;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (wallClockMs(middle, timezone) > wall) after = middle;
    else before = middle;
  }
  return after;
}

export function hourEnd(label: string, timezone: string): Date {
  return hourStart(addHours(label, 1), timezone);
}

/** The label of the local hour that contains `instant`. */
export function hourLabelAt(instant: Date, timezone: string): string {
  return hourOf(new Date(wallClockMs(instant.getTime(), timezone))).label;
}

/** Calendar arithmetic on labels, in no time zone: `addHours('2019-06-01T23', 2)` is `2019-06-02T01`. */
export function addHours(label: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`addHours needs a whole number of hours, not ${n}.`);
  return hourOf(new Date(labelMs(label) + n * HOUR_MS)).label;
}

/** Every label from `from` to `to`, both included, in order. */
export function hoursBetween(from: string, to: string, max = MAX_HOURS_BETWEEN): string[] {
  const start = labelMs(from);
  const end = labelMs(to);
  if (start > end) throw new UserError(`hour range ${from}..${to} ends before it starts.`);
  const count = (end - start) / HOUR_MS + 1;
  if (count > max) throw new UserError(`hour range ${from}..${to} spans ${count} hours, more than the ${max} allowed at once.`);
  return Array.from({ length: count }, (_, i) => hourOf(new Date(start + i * HOUR_MS)).label);
}
