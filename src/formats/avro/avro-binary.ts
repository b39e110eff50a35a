/**
 * Avro's binary encoding of the values eventlake stores, written straight into a byte buffer
 * (the Avro spec, "Binary Encoding"): longs as zig-zag varints, doubles as 8 bytes
 * little-endian, strings as their UTF-8 byte length and bytes. Also the readers of a source
 * line's field spans: a plain decimal to the double Number() gives, a canonical timestamp to the
 * epoch milliseconds parseTimestamp() gives, without building a string for either.
 */
import { DAYS_IN_MONTH, digits } from '../../events/byte-scanner.js';

/** Writes `n` (a safe integer) as a zig-zag varint at `pos`; returns the position after it. */
export function writeLong(buf: Uint8Array, pos: number, n: number): number {
  if (n >= -1073741824 && n < 1073741824) {
    // Fits 31 bits once doubled: integer arithmetic.
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>>= 7;
    }
    buf[pos++] = m;
    return pos;
  }
  // Up to 2^53 once doubled: floating arithmetic is exact here.
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  while (f > 0x7f) {
    buf[pos++] = (f % 128) | 0x80;
    f = Math.floor(f / 128);
  }
  buf[pos++] = f;
  return pos;
}

/** The bytes writeLong takes for `n`. */
export function longBytes(n: number): number {
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (f > 0x7f) {
    f = Math.floor(f / 128);
    bytes++;
  }
  return bytes;
}

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes an IEEE 754 double, little-endian, at `pos`; returns the position after it. */
export function writeDouble(buf: Uint8Array, pos: number, value: number): number {
  scratch[0] = value;
  if (littleEndian) {
    buf[pos] = scratchBytes[0] as number;
    buf[pos + 1] = scratchBytes[1] as number;
    buf[pos + 2] = scratchBytes[2] as number;
    buf[pos + 3] = scratchBytes[3] as number;
    buf[pos + 4] = scratchBytes[4] as number;
    buf[pos + 5] = scratchBytes[5] as number;
    buf[pos + 6] = scratchBytes[6] as number;
    buf[pos + 7] = scratchBytes[7] as number;
  } else {
    for (let i = 0; i < 8; i++) buf[pos + i] = scratchBytes[7 - i] as number;
  }
  return pos + 8;
}

/** Powers of ten that doubles hold exactly (10^22 is the last). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Digits that always fit a double's 53-bit integer exactly. */
const MAX_EXACT_DIGITS = 15;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;

/**
 * The double `Number(text)` gives for the bytes [start, end). A plain decimal `-?D+(.D+)?` of
 * at most 15 digits is M / 10^k with M and 10^k both exact doubles, so the one correctly rounded
 * division is the correctly rounded value of the decimal, which is what Number() returns
 * (Clinger's fast path). Anything else (more digits, an exponent) is left to Number().
 */
export function decimalSpanValue(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const b = buf[i] as number;
    const d = b - ZERO;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
    } else if (b === DOT && fraction < 0) {
      fraction = i;
    } else {
      return slowDecimal(buf, start, end);
    }
  }
  const scale = fraction < 0 ? 0 : end - fraction - 1;
  if (digits === 0 || digits > MAX_EXACT_DIGITS || (scale === 0 && fraction >= 0)) return slowDecimal(buf, start, end);
  const value = scale === 0 ? mantissa : mantissa / (EXACT_POWERS_OF_TEN[scale] as number);
  return negative ? -value : value;
}

function slowDecimal(buf: Uint8Array, start: number, end: number): number {
  // Decoded as UTF-8, as the text was before: Number() trims Unicode spaces such as U+00A0.
  return Number(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', start, end));
}

/** Days since 1970-01-01 of a proleptic Gregorian date (days from civil, as parseTimestamp). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Reads canonical `YYYY-MM-DDTHH:MM:SS.sssZ` timestamps (24 bytes) to the epoch milliseconds
 * parseTimestamp gives, with the same checks and arithmetic. The last date read is kept: the
 * rows of an hour share one or two.
 */
export class CanonicalTimestamps {
  private readonly date = new Uint8Array(10);
  private days = Number.NaN;

  /** The instant at `start`, or undefined when the bytes are not a valid canonical timestamp. */
  ms(buf: Uint8Array, start: number): number | undefined {
    if (buf[start + 10] !== 84 || buf[start + 13] !== 58 || buf[start + 16] !== 58 || buf[start + 19] !== DOT || buf[start + 23] !== 90) return undefined;
    const date = this.date;
    let same = this.days === this.days; // not NaN: a date was read
    for (let i = 0; same && i < 10; i++) same = buf[start + i] === date[i];
    if (!same && !this.readDate(buf, start)) return undefined;
    const hour = digits(buf, start + 11, 2);
    const minute = digits(buf, start + 14, 2);
    const second = digits(buf, start + 17, 2);
    const ms = digits(buf, start + 20, 3);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
    return ((this.days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
  }

  private readDate(buf: Uint8Array, start: number): boolean {
    if (buf[start + 4] !== MINUS || buf[start + 7] !== MINUS) return false;
    const year = digits(buf, start, 4);
    const month = digits(buf, start + 5, 2);
    const day = digits(buf, start + 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1) return false;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return false;
    for (let i = 0; i < 10; i++) this.date[i] = buf[start + i] as number;
    this.days = daysFromCivil(year, month, day);
    return true;
  }
}
