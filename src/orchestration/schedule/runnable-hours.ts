/**
 * Which hours can be run, one rule for every way of asking (run, trigger, backfill, the API, the
 * scheduler): an hour that has begun in the source's time zone, and that its clocks did not skip.
 * A backfill walks hours as instants in the zone: the skipped spring hour is left out (it holds
 * no files), the repeated autumn hour is one label run once.
 */
import { UserError } from '../../errors/user-error.js';
import { hourEnd, hourStart, hoursBetween } from './hour-clock.js';

/** True when the zone's clocks jump over the whole hour (02:00–03:00 on a spring-forward night). */
export function isSkippedHour(label: string, timezone: string): boolean {
  return hourStart(label, timezone).getTime() >= hourEnd(label, timezone).getTime();
}

function refuseUnbegun(label: string, timezone: string, now: Date): void {
  if (hourStart(label, timezone).getTime() > now.getTime()) throw new UserError(`hour ${label} (${timezone}) has not begun: no file of it can have arrived`);
}

/** Throws one sentence unless the hour can be run now. */
export function checkRunnableHour(label: string, timezone: string, now: Date = new Date()): void {
  // Begun first: the last label of year 9999 has no next one to tell a skip by.
  refuseUnbegun(label, timezone, now);
  if (isSkippedHour(label, timezone)) throw new UserError(`hour ${label} does not exist in ${timezone}: the clocks skipped it, so no file can belong to it`);
}

/** The hours from `from` to `to` that exist in the zone, refused whole if any has not begun. */
export function runnableHoursBetween(from: string, to: string, timezone: string, now: Date = new Date()): string[] {
  const hours = hoursBetween(from, to);
  const last = hours.at(-1);
  if (last !== undefined) refuseUnbegun(last, timezone, now);
  return hours.filter((label) => !isSkippedHour(label, timezone));
}
