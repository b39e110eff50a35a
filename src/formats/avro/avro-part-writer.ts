/**
 * Writes a task's rows of one entity straight into an Avro container file.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import type { FieldSpans, RowValue } from '../../events/entity.js';
import { parseTimestamp } from '../../events/timestamp.js';
import type { PartWriter, PartWriterOptions, WrittenFile } from '../lake-format.js';
import { avroCodecs } from './avro-codecs.js';
import { avroSchema } from './avro-schema.js';

interface OpenFile {
  readonly path: string;
  readonly encoder: avro.streams.BlockEncoder;
  readonly done: Promise<void>;
  rows: number;
}

export class AvroPartWriter implements PartWriter {
  private readonly names: string[];
  private readonly schema: avro.Schema;
  private current: OpenFile | undefined;

  constructor(
    private readonly options: PartWriterOptions,
    private readonly baseName: string,
  ) {
    this.names = options.entity.columns.map((c) => c.name);
    this.schema = avroSchema(options.entity) as avro.Schema;
    mkdirSync(options.dir, { recursive: true });
  }

  /**
   * One container per task and entity: the finisher cuts parts to size at block boundaries, so
   * where a part ends never depends on how fast a write reached the disk.
   */
  private open(): OpenFile {
    const name = `${this.baseName}.avro`;
    const path = join(this.options.dir, name);
    // Given the schema, not a Type: the header then carries it as written. A Type built
    // without logicalTypes exports timestamps as plain "long".
    const encoder = new avro.streams.BlockEncoder(this.schema, {
      codec: this.options.codec,
      codecs: avroCodecs,
      blockSize: 256 * 1024,
      // Derived from what the file holds, not random, so a rerun writes identical bytes.
      syncMarker: createHash('md5').update(`${this.options.entity.name}\0${name}\0${this.options.objectKeys.join('\0')}`).digest(),
    });
    // pipeline() passes a write error back to the encoder, so drained() and close() see it.
    const done = pipeline(encoder, createWriteStream(path));
    done.catch(() => undefined); // observed in close(); never an unhandled rejection
    return { path, encoder, done, rows: 0 };
  }

  write(row: readonly RowValue[], objectIndex: number, line: number): void {
    const file = (this.current ??= this.open());
    const record: Record<string, RowValue> = {};
    const names = this.names;
    for (let i = 0; i < names.length; i++) record[names[i] as string] = row[i] ?? null;
    record['source_object'] = this.options.objectKeys[objectIndex] ?? '';
    record['source_line'] = line;
    file.encoder.write(record);
    file.rows++;
  }

  writeSpans(buf: Buffer, spans: FieldSpans, objectIndex: number, line: number): void {
    const row: RowValue[] = this.options.entity.columns.map((column, c) => {
      const start = spans[2 * c] as number;
      if (start < 0) return null;
      const text = buf.toString('utf8', start, spans[2 * c + 1] as number);
      if (column.type === 'string') return text;
      if (column.type === 'double') return Number(text);
      return parseTimestamp(text) ?? null;
    });
    this.write(row, objectIndex, line);
  }

  /** The encoder buffers without limit; waiting here keeps a worker's memory flat. */
  async drained(): Promise<void> {
    const encoder = this.current?.encoder;
    if (encoder?.writableNeedDrain) await once(encoder, 'drain');
  }

  async close(): Promise<WrittenFile[]> {
    const file = this.current;
    if (!file) return [];
    this.current = undefined;
    file.encoder.end();
    await file.done;
    return [{ path: file.path, rows: file.rows }];
  }
}
