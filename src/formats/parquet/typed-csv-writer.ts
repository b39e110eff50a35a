/**
 * Stages an entity's rows as typed CSV bytes for DuckDB to turn into Parquet.
 * Why CSV: DuckDB's multi-threaded CSV reader and Parquet writer beat any per-row call across
 * the native boundary (appender calls were several times slower than DuckDB alone), and CSV
 * keeps exact values: the fast path copies number and timestamp text straight from the source
 * line, the slow path prints doubles in shortest round-trip form and timestamps as ISO-8601 UTC.
 * The source object is written as its key, encoded once per object: DuckDB looking a key up by
 * index was a large part of the finish (it rebuilt the hour's list of keys for every vector).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Column, FieldSpans, RowValue } from '../../events/entity.js';
import type { PartWriter, PartWriterOptions, WrittenFile } from '../lake-format.js';

/**
 * Rows are gathered this much at a time before a write: small enough to stay in a core's L2
 * cache while the row bytes go in and the kernel copies them out, which made whole runs faster
 * than a 1 MiB buffer did (docs/performance.md).
 */
const BUFFER_BYTES = 256 * 1024;
const NEEDS_QUOTES = /[",\n\r]/;
const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const MINUS = 45;
/** Room for the separators, quotes and the two trailing integers of one row. */
const ROW_OVERHEAD = 64;

/** Encodes one string field; an empty string is quoted so it is not read back as null. */
export function csvString(value: string): string {
  if (value.length === 0) return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvValue(value: RowValue, column: Column): string {
  if (value === null) return '';
  if (column.type === 'string') return csvString(value as string);
  // Four-digit years only: the readers quarantine instants outside 0001–9999 (isStorableTimestamp).
  if (column.type === 'timestamp') return new Date(value as number).toISOString();
  // String(-0) is "0": the source's sign would be lost.
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Fraction digits before which a non-zero digit keeps a double well away from underflow (min subnormal ≈ 4.9e-324). */
const SAFE_FRACTION_DIGITS = 300;

/**
 * Whether a plain decimal span (`-?d+(.d+)?`, no exponent) parses to negative zero: `-0`,
 * `-0.000`, but also `-0.000…0001` with enough zeros to underflow. The parsed value's sign bit
 * decides, as for the full checks' `Object.is(value, -0)`; the text only spares the parse for
 * the common cases (a non-zero integer part or an early non-zero fraction digit).
 */
function isNegativeZeroText(buf: Buffer, start: number, end: number): boolean {
  if (buf[start] !== MINUS) return false;
  let fractionDigits = 0;
  let inFraction = false;
  for (let i = start + 1; i < end; i++) {
    const b = buf[i] as number;
    if (b === 46) {
      inFraction = true;
      continue;
    }
    if (inFraction) fractionDigits++;
    if (b !== 48) {
      if (!inFraction || fractionDigits < SAFE_FRACTION_DIGITS) return false;
      return Object.is(Number(buf.toString('latin1', start, end)), -0);
    }
  }
  return true;
}

export class TypedCsvWriter implements PartWriter {
  private readonly columns: readonly Column[];
  private readonly stringColumn: boolean[];
  private readonly path: string;
  private fd: number | undefined;
  private out = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;
  private rows = 0;
  private negativeZero = false;
  private readonly objectKeys: readonly string[];
  /** The current object's key as CSV bytes, ended by a comma. */
  private keyIndex = -1;
  private keyBytes = Buffer.alloc(0);

  constructor(options: PartWriterOptions, fileName: string) {
    this.columns = options.entity.columns;
    this.objectKeys = options.objectKeys;
    this.stringColumn = this.columns.map((c) => c.type === 'string');
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, fileName);
  }

  write(row: readonly RowValue[], objectIndex: number, line: number): void {
    let text = '';
    for (let i = 0; i < this.columns.length; i++) {
      const value = row[i] ?? null;
      if (Object.is(value, -0)) this.negativeZero = true;
      text += `${csvValue(value, this.columns[i] as Column)},`;
    }
    text += `${csvString(this.keyOf(objectIndex))},${line}\n`;
    this.reserve(text.length * 3);
    this.pos += this.out.write(text, this.pos);
    this.rows++;
  }

  writeSpans(buf: Buffer, spans: FieldSpans, objectIndex: number, line: number): void {
    const columns = this.stringColumn.length;
    const key = this.keyCsv(objectIndex);
    this.reserve(this.spanBytes(spans) + key.length + ROW_OVERHEAD);
    const out = this.out;
    let pos = this.pos;
    for (let c = 0; c < columns; c++) {
      const start = spans[2 * c] as number;
      if (start >= 0) {
        const end = spans[2 * c + 1] as number;
        if (this.stringColumn[c] === true) {
          pos = copyCsvString(buf, start, end, out, pos);
        } else {
          // Timestamps never start with "-"; a double rarely does and is rarely zero.
          if (buf[start] === MINUS && isNegativeZeroText(buf, start, end)) this.negativeZero = true;
          for (let i = start; i < end; i++) out[pos++] = buf[i] as number;
        }
      }
      out[pos++] = COMMA;
    }
    out.set(key, pos);
    pos += key.length;
    pos = writeInteger(out, pos, line);
    out[pos++] = NEWLINE;
    this.pos = pos;
    this.rows++;
  }

  private keyOf(objectIndex: number): string {
    const key = this.objectKeys[objectIndex];
    if (key === undefined) throw new Error(`no object key for index ${objectIndex}`);
    return key;
  }

  /** Rows come object by object: the key is encoded when the object changes. */
  private keyCsv(objectIndex: number): Buffer {
    if (objectIndex !== this.keyIndex) {
      this.keyBytes = Buffer.from(`${csvString(this.keyOf(objectIndex))},`);
      this.keyIndex = objectIndex;
    }
    return this.keyBytes;
  }

  private spanBytes(spans: FieldSpans): number {
    let n = 0;
    for (let i = 0; i < spans.length; i += 2) if ((spans[i] as number) >= 0) n += (spans[i + 1] as number) - (spans[i] as number);
    return n;
  }

  /** Makes room for `bytes` more, flushing or growing the buffer. */
  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.out.length) return;
    this.flush();
    if (bytes > this.out.length) this.out = Buffer.allocUnsafe(bytes);
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.fd ??= openSync(this.path, 'w');
    writeSync(this.fd, this.out, 0, this.pos);
    this.pos = 0;
  }

  /** Writes are synchronous and bounded by the buffer: nothing to wait for. */
  async drained(): Promise<void> {}

  async close(): Promise<WrittenFile[]> {
    try {
      this.flush();
    } finally {
      // Closed even when the last write failed (a full disk), so no descriptor is left open.
      if (this.fd !== undefined) closeSync(this.fd);
    }
    if (this.fd === undefined) return [];
    this.fd = undefined;
    return [{ path: this.path, rows: this.rows, negativeZero: this.negativeZero }];
  }
}

/**
 * Copies a raw string (no quotes or line breaks inside: the scanner guarantees it), quoting it
 * when it holds a comma or is empty. Commas are rare, so copy first and fix up after.
 */
function copyCsvString(buf: Buffer, start: number, end: number, out: Buffer, at: number): number {
  let pos = at;
  let comma = false;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b === COMMA) comma = true;
    out[pos++] = b;
  }
  if (!comma && end > start) return pos;
  out.copyWithin(at + 1, at, pos);
  out[at] = QUOTE;
  out[pos + 1] = QUOTE;
  return pos + 2;
}

/** Writes a non-negative integer's decimal digits. */
function writeInteger(out: Buffer, pos: number, value: number): number {
  if (value < 10) {
    out[pos] = 48 + value;
    return pos + 1;
  }
  // Line numbers: most have two to four digits, written without a logarithm.
  const digits = value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : Math.floor(Math.log10(value)) + 1;
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    out[pos + i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return pos + digits;
}
