/**
 * Strict ISO-8601 timestamp parsing to epoch milliseconds (UTC).
 *
 * Hand-written because it runs twice per event on the hot path: Date.parse is slower and
 * lenient (it accepts "June 1 2019" and calendar overflow such as Feb 30), which would let
 * bad data into the lake. Sub-millisecond digits are truncated: the lake stores milliseconds.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the four-digit years. */
export const FIRST_STORABLE_MS = -62_135_596_800_000;
export const LAST_STORABLE_MS = 253_402_300_799_999;

/**
 * Whether both formats hold `ms` exactly: outside years 0001–9999 (UTC) the staged ISO text
 * would need a signed 6-digit year, which DuckDB does not read.
 */
export function isStorableTimestamp(ms: number): boolean {
  return ms >= FIRST_STORABLE_MS && ms <= LAST_STORABLE_MS;
}

/** The quarantine reason for a parsed timestamp that is not storable. */
export function outsideStorableYears(path: string, text: string): string {
  return `"${path}" is outside the years 0001–9999 (UTC): ${JSON.stringify(text)}`;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * Epoch milliseconds of a proleptic Gregorian date-time, integer arithmetic only: Date.UTC
 * reads years 0–99 as 1900–1999 (days from civil: http://howardhinnant.github.io/date_algorithms.html).
 */
function epochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** The decimal value of s[from, to), or -1 when a character is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Fast path for the shape every producer we know emits: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
function parseCanonical(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  if (s.charCodeAt(19) !== 46) return undefined;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 7);
  const day = digitsAt(s, 8, 10);
  const hour = digitsAt(s, 11, 13);
  const minute = digitsAt(s, 14, 16);
  const second = digitsAt(s, 17, 19);
  const ms = digitsAt(s, 20, 23);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
  return epochMs(year, month, day, hour, minute, second, ms);
}

/**
 * Epoch milliseconds, or undefined when `s` is not a valid ISO-8601 date-time with a zone.
 * Years 0000–9999 are read as written; an offset can move the instant outside them, so
 * callers check isStorableTimestamp.
 */
export function parseTimestamp(s: string): number | undefined {
  const fast = parseCanonical(s);
  if (fast !== undefined) return fast;
  const m = ISO.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return epochMs(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}
