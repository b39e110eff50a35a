/**
 * Hour labels as the API writes them (`2019-06-01T15`, an hour of the source's timezone) and as
 * people read them (`2019-06-01 15:00 Europe/Berlin`: the source's zone, once the server said it).
 */
import { zonedClock } from './source-zone.js';

const LABEL = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/;

export interface HourParts {
  readonly date: string;
  /** 0..23 */
  readonly hour: number;
}

export function hourParts(label: string): HourParts | undefined {
  const m = LABEL.exec(label);
  if (!m) return undefined;
  const hour = Number(m[2]);
  return hour <= 23 ? { date: m[1] as string, hour } : undefined;
}

export const twoDigits = (n: number): string => String(n).padStart(2, '0');

export function hourLabel(date: string, hour: number): string {
  return `${date}T${twoDigits(hour)}`;
}

export function displayHour(label: string): string {
  const parts = hourParts(label);
  return parts ? `${parts.date} ${zonedClock(parts.hour)}` : label;
}

/** Today's date in UTC, as a date input writes it. */
export function todayDate(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}
