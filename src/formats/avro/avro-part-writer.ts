/** Writes an entity's rows straight into an Avro container file from inside a worker. */
import { createHash } from 'node:crypto';
import { mkdirSync, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import avro from 'avsc';
import type { Column, FieldSpans, RowValue } from '../../events/entity.js';
import { parseTimestamp } from '../../events/timestamp.js';
import type { PartWriter, PartWriterOptions, WrittenFile } from '../lake-format.js';
import { avroCodecs } from './avro-codecs.js';
import { avroSchema } from './avro-schema.js';

export class AvroPartWriter implements PartWriter {
  private readonly names: string[];
  private readonly type: avro.Type;
  private readonly path: string;
  private encoder: avro.streams.BlockEncoder | undefined;
  private done: Promise<void> | undefined;
  private rows = 0;

  constructor(
    private readonly options: PartWriterOptions,
    fileName: string,
  ) {
    this.names = options.entity.columns.map((c: Column) => c.name);
    this.type = avro.Type.forSchema(avroSchema(options.entity) as avro.Schema);
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, fileName);
  }

  write(row: readonly RowValue[], objectIndex: number, line: number): void {
    if (!this.encoder) {
      this.encoder = new avro.streams.BlockEncoder(this.type, {
        codec: this.options.codec,
        codecs: avroCodecs,
        blockSize: 256 * 1024,
        // Derived from what the file holds, not random, so a rerun writes identical bytes.
        syncMarker: createHash('md5').update(`${this.options.entity.name}\0${basename(this.path)}\0${this.options.objectKeys.join('\0')}`).digest(),
      });
      const file = createWriteStream(this.path);
      this.encoder.pipe(file);
      this.done = finished(file);
    }
    const record: Record<string, RowValue> = {};
    const names = this.names;
    for (let i = 0; i < names.length; i++) record[names[i] as string] = row[i] ?? null;
    record['source_object'] = this.options.objectKeys[objectIndex] ?? '';
    record['source_line'] = line;
    this.encoder.write(record);
    this.rows++;
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

  async close(): Promise<WrittenFile[]> {
    if (!this.encoder) return [];
    this.encoder.end();
    await this.done;
    return [{ path: this.path, rows: this.rows }];
  }
}
