/**
 * The source's time zone (GET /api/health's `timezone`): the hours the API names (`2019-06-01T15`)
 * are hours of this zone, so every hour label the UI prints names it. The shell sets it once the
 * server has said; until then labels carry no zone rather than a wrong one.
 */

let zone = '';

export function setSourceZone(next: string): void {
  zone = next;
}

/** The source's IANA zone, or '' while the server has not said. */
export function sourceZone(): string {
  return zone;
}

/** The hour before `now`, as the source names hours in `timeZone` (the hour a scheduler would run next). */
export function previousSourceHour(timeZone: string, now = new Date()): { readonly date: string; readonly hour: number } {
  const before = new Date(now.getTime() - 3_600_000);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(before);
  } catch {
    return { date: before.toISOString().slice(0, 10), hour: before.getUTCHours() };
  }
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) % 24 };
}

const twoDigits = (n: number): string => String(n).padStart(2, '0');

/** `15:00` with the source's zone after it when known: `15:00 Europe/Berlin`. */
export function zonedClock(hour: number): string {
  return zone ? `${twoDigits(hour)}:00 ${zone}` : `${twoDigits(hour)}:00`;
}
