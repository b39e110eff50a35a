/**
 * Byte-level primitives for an entity's fast path: recognising its most common line shape
 * without JSON.parse. Each returns the position after what it matched, or -1 when the bytes
 * are not exactly that shape, in which case the caller falls back to JSON.parse and the full
 * checks. They accept only what the full checks accept, with the same values.
 */
const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

export function literal(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Matches `lit` at `pos`. */
export function matchLiteral(buf: Uint8Array, pos: number, end: number, lit: Uint8Array): number {
  const n = lit.length;
  if (pos + n > end) return -1;
  for (let i = 0; i < n; i++) if (buf[pos + i] !== lit[i]) return -1;
  return pos + n;
}

/**
 * Scans a string body from `pos` (just after the opening quote) to its closing quote, and
 * returns the quote's position. Strings with escapes or raw control characters are left to
 * JSON.parse: their bytes are not their value.
 */
export function scanPlainString(buf: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i < end; i++) {
    const b = buf[i] as number;
    if (b === QUOTE) return i;
    if (b === BACKSLASH || b < 0x20) return -1;
  }
  return -1;
}

/**
 * Scans a plain decimal `-?D+(.D+)?` (no exponent) whose absolute value is below `limit`,
 * judged from the integer digits alone (at most 3) so no float is parsed here.
 */
export function scanBoundedDecimal(buf: Uint8Array, pos: number, end: number, limit: number): number {
  let i = pos;
  if (buf[i] === MINUS) i++;
  const intStart = i;
  let intValue = 0;
  while (i < end && (buf[i] as number) >= ZERO && (buf[i] as number) <= NINE) {
    intValue = intValue * 10 + ((buf[i] as number) - ZERO);
    i++;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > 3 || (intDigits > 1 && buf[intStart] === ZERO)) return -1;
  if (intValue >= limit) return -1;
  if (buf[i] === DOT) {
    i++;
    const fracStart = i;
    while (i < end && (buf[i] as number) >= ZERO && (buf[i] as number) <= NINE) i++;
    if (i === fracStart) return -1;
  }
  return i;
}

export const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The decimal value of `count` ASCII digits at `from`, or -1 when one is not a digit. */
export function digits(buf: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Checks a canonical `YYYY-MM-DDTHH:MM:SS.sssZ` (24 bytes) at `pos`, calendar included. Years
 * 0001–9999 in UTC are exactly the storable instants (isStorableTimestamp); 0000 is left to
 * the full checks, which quarantine it.
 */
export function isCanonicalTimestamp(buf: Uint8Array, pos: number, end: number): boolean {
  if (pos + 24 > end) return false;
  if (buf[pos + 4] !== MINUS || buf[pos + 7] !== MINUS || buf[pos + 10] !== 84 || buf[pos + 13] !== 58) return false;
  if (buf[pos + 16] !== 58 || buf[pos + 19] !== DOT || buf[pos + 23] !== 90) return false;
  const year = digits(buf, pos, 4);
  const month = digits(buf, pos + 5, 2);
  const day = digits(buf, pos + 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return false;
  const hour = digits(buf, pos + 11, 2);
  const minute = digits(buf, pos + 14, 2);
  const second = digits(buf, pos + 17, 2);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && digits(buf, pos + 20, 3) >= 0;
}
