/**
 * Writes a task's rows of one entity into an Avro container file, encoding each row's fields
 * straight into the open block's bytes (avro-binary.ts): the fast path copies a source line's
 * string bytes and reads its numbers and timestamps from the bytes, the slow path encodes the
 * row's values. Blocks are cut, compressed and written on this thread (avro-container-writer.ts),
 * so a worker holds one block at a time. The values are those avsc stored record by record
 * before: doubles as Number(text), timestamps as parseTimestamp's epoch milliseconds, strings
 * byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Column, FieldSpans, RowValue } from '../../events/entity.js';
import { parseTimestamp } from '../../events/timestamp.js';
import type { PartWriter, PartWriterOptions, WrittenFile } from '../lake-format.js';
import { CanonicalTimestamps, decimalSpanValue, writeDouble, writeLong } from './avro-binary.js';
import { AvroContainerWriter, lengthPrefixed } from './avro-container-writer.js';
import { avroSchema } from './avro-schema.js';

/** Uncompressed bytes per block, as before (avsc's blockSize): ~100 KiB once deflated. */
export const AVRO_BLOCK_BYTES = 256 * 1024;
/**
 * zlib's level for deflate blocks. Values this random compress little better at any level, so
 * level 1 gives files a few percent larger for far less compression time (the levels compared:
 * docs/performance.md).
 */
export const AVRO_DEFLATE_LEVEL = 1;

export interface AvroEncoding {
  readonly blockSize?: number;
  readonly deflateLevel?: number;
}

const STRING = 0;
const DOUBLE = 1;
const TIMESTAMP = 2;
/** Union branch indexes of ["null", T] as zig-zag varints. */
const NULL_BRANCH = 0;
const VALUE_BRANCH = 2;
/** The most a column takes besides a string's bytes: union branch, length or value. */
const COLUMN_OVERHEAD = 11;
/** source_line and slack. */
const ROW_OVERHEAD = 16;
/** Strings this short are copied byte by byte: cheaper than a call into Buffer.copy. */
const SHORT_COPY = 64;

function kindOf(column: Column): number {
  return column.type === 'string' ? STRING : column.type === 'double' ? DOUBLE : TIMESTAMP;
}

export class AvroPartWriter implements PartWriter {
  private readonly kinds: Uint8Array;
  private readonly nullable: boolean[];
  private readonly columns: readonly Column[];
  private readonly schemaJson: string;
  private readonly blockSize: number;
  private readonly deflateLevel: number;
  private readonly timestamps = new CanonicalTimestamps();
  private container: AvroContainerWriter | undefined;
  private path = '';
  /** source_object of the last object index seen, encoded (length and UTF-8 bytes). */
  private objectIndex = -1;
  private objectBytes = Buffer.alloc(0);

  constructor(
    private readonly options: PartWriterOptions,
    private readonly baseName: string,
    encoding: AvroEncoding = {},
  ) {
    this.columns = options.entity.columns;
    this.kinds = Uint8Array.from(this.columns.map(kindOf));
    this.nullable = this.columns.map((c) => c.nullable);
    // The header carries the schema as written, timestamps with their logical type.
    this.schemaJson = JSON.stringify(avroSchema(options.entity));
    this.blockSize = encoding.blockSize ?? AVRO_BLOCK_BYTES;
    this.deflateLevel = encoding.deflateLevel ?? AVRO_DEFLATE_LEVEL;
    mkdirSync(options.dir, { recursive: true });
  }

  /**
   * One container per task and entity: the finisher cuts parts to size at block boundaries, so
   * where a part ends never depends on how fast a write reached the disk.
   */
  private open(): AvroContainerWriter {
    const name = `${this.baseName}.avro`;
    this.path = join(this.options.dir, name);
    return new AvroContainerWriter({
      path: this.path,
      schemaJson: this.schemaJson,
      codec: this.options.codec,
      blockSize: this.blockSize,
      deflateLevel: this.deflateLevel,
      // Derived from what the file holds, not random, so a rerun writes identical bytes.
      syncMarker: createHash('md5').update(`${this.options.entity.name}\0${name}\0${this.options.objectKeys.join('\0')}`).digest(),
    });
  }

  private sourceObject(objectIndex: number): Buffer {
    if (objectIndex !== this.objectIndex) {
      // A row names an object of its task; no key means a bug, never an empty source_object.
      const key = this.options.objectKeys[objectIndex];
      if (key === undefined) throw new Error(`no object key for index ${objectIndex}`);
      this.objectBytes = lengthPrefixed(Buffer.from(key, 'utf8'));
      this.objectIndex = objectIndex;
    }
    return this.objectBytes;
  }

  write(row: readonly RowValue[], objectIndex: number, line: number): void {
    const container = (this.container ??= this.open());
    const kinds = this.kinds;
    const source = this.sourceObject(objectIndex);
    let most = source.length + ROW_OVERHEAD;
    for (let c = 0; c < kinds.length; c++) {
      const value = row[c];
      most += COLUMN_OVERHEAD + (typeof value === 'string' ? 3 * value.length : 0);
    }
    container.reserve(most);
    const out = container.buf;
    const rowStart = container.pos;
    let pos = rowStart;
    for (let c = 0; c < kinds.length; c++) {
      const value = row[c] ?? null;
      if (value === null) {
        pos = this.writeNull(out, pos, c);
        continue;
      }
      if (this.nullable[c] === true) out[pos++] = VALUE_BRANCH;
      const kind = kinds[c];
      if (kind === STRING) {
        if (typeof value !== 'string') throw this.invalid(c, value);
        // Rows carry no lone surrogate (the envelope quarantines them), so this is exact UTF-8.
        const bytes = Buffer.byteLength(value, 'utf8');
        pos = writeLong(out, pos, bytes);
        pos += out.write(value, pos, bytes, 'utf8');
      } else if (kind === DOUBLE) {
        if (typeof value !== 'number') throw this.invalid(c, value);
        pos = writeDouble(out, pos, value);
      } else {
        if (!Number.isSafeInteger(value)) throw this.invalid(c, value);
        pos = writeLong(out, pos, value as number);
      }
    }
    this.endRow(container, rowStart, pos, source, line);
  }

  writeSpans(buf: Buffer, spans: FieldSpans, objectIndex: number, line: number): void {
    const container = (this.container ??= this.open());
    const kinds = this.kinds;
    const source = this.sourceObject(objectIndex);
    let most = source.length + ROW_OVERHEAD + COLUMN_OVERHEAD * kinds.length;
    for (let c = 0; c < kinds.length; c++) {
      const start = spans[2 * c] as number;
      if (start >= 0) most += (spans[2 * c + 1] as number) - start;
    }
    container.reserve(most);
    const out = container.buf;
    const rowStart = container.pos;
    let pos = rowStart;
    for (let c = 0; c < kinds.length; c++) {
      const start = spans[2 * c] as number;
      if (start < 0) {
        pos = this.writeNull(out, pos, c);
        continue;
      }
      const end = spans[2 * c + 1] as number;
      const kind = kinds[c];
      if (kind === STRING) {
        if (this.nullable[c] === true) out[pos++] = VALUE_BRANCH;
        pos = writeLong(out, pos, end - start);
        if (end - start < SHORT_COPY) {
          for (let i = start; i < end; i++) out[pos++] = buf[i] as number;
        } else {
          pos += buf.copy(out, pos, start, end);
        }
      } else if (kind === DOUBLE) {
        if (this.nullable[c] === true) out[pos++] = VALUE_BRANCH;
        pos = writeDouble(out, pos, decimalSpanValue(buf, start, end));
      } else {
        // Spans hold canonical timestamps; anything else is read as parseTimestamp reads it.
        const ms = (end - start === 24 ? this.timestamps.ms(buf, start) : undefined) ?? parseTimestamp(buf.toString('utf8', start, end));
        if (ms === undefined) {
          pos = this.writeNull(out, pos, c);
          continue;
        }
        if (this.nullable[c] === true) out[pos++] = VALUE_BRANCH;
        pos = writeLong(out, pos, ms);
      }
    }
    this.endRow(container, rowStart, pos, source, line);
  }

  private writeNull(out: Buffer, pos: number, column: number): number {
    if (this.nullable[column] !== true) throw this.invalid(column, null);
    out[pos] = NULL_BRANCH;
    return pos + 1;
  }

  private invalid(column: number, value: unknown): Error {
    const { name, type } = this.columns[column] as Column;
    return new Error(`Avro ${this.options.entity.name}.${name} (${type}) cannot hold ${JSON.stringify(value)}`);
  }

  private endRow(container: AvroContainerWriter, rowStart: number, at: number, source: Buffer, line: number): void {
    const out = container.buf;
    let pos = at;
    for (let i = 0; i < source.length; i++) out[pos++] = source[i] as number;
    container.pos = writeLong(out, pos, line);
    container.endRow(rowStart);
  }

  /** Blocks are written as they fill, on this thread: nothing to wait for. */
  async drained(): Promise<void> {}

  async close(): Promise<WrittenFile[]> {
    const container = this.container;
    if (!container) return [];
    this.container = undefined;
    return container.close() ? [{ path: this.path, rows: container.rows }] : [];
  }
}
