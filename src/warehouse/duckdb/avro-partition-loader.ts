/**
 * Loads an Avro lake partition into an internal table with the project's own Avro reader
 * (avsc): DuckDB's avro extension would have to be downloaded, and nothing may download at run
 * time. Rows go in through DuckDB's appender, value by value, so every double (-0 included) and
 * every timestamp is stored exactly as the lake holds it.
 */
import { createReadStream } from 'node:fs';
import avro from 'avsc';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import type { Column, Entity } from '../../events/entity.js';
import { avroDecoders } from '../../formats/avro/avro-codecs.js';

const DAY_MS = 86_400_000;

function append(appender: DuckDBAppender, column: Column, value: unknown): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (column.type) {
    case 'string':
      appender.appendVarchar(String(value));
      return;
    case 'double':
      appender.appendDouble(Number(value));
      return;
    case 'timestamp':
      // timestamp-millis, read as its long (the logical type is not registered with avsc).
      appender.appendTimestampTZ(new duckdb.DuckDBTimestampTZValue(BigInt(value as number) * 1000n));
      return;
  }
}

function readRecords(file: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const records: Record<string, unknown>[] = [];
    createReadStream(file)
      .on('error', reject)
      .pipe(new avro.streams.BlockDecoder({ codecs: avroDecoders }))
      .on('data', (record: Record<string, unknown>) => records.push(record))
      .on('error', reject)
      .on('end', () => resolve(records));
  });
}

/** Appends the partition's rows (`date`, `hour` from its path) to `main.<entity>`. */
export async function appendAvroPartition(connection: DuckDBConnection, entity: Entity, files: readonly string[], date: string, hour: number): Promise<void> {
  const appender = await connection.createAppender(entity.name, 'main');
  const day = new duckdb.DuckDBDateValue(Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS));
  try {
    for (const file of files) {
      for (const record of await readRecords(file)) {
        for (const column of entity.columns) append(appender, column, record[column.name]);
        appender.appendVarchar(String(record['source_object']));
        appender.appendBigInt(BigInt(record['source_line'] as number));
        appender.appendDate(day);
        appender.appendInteger(hour);
        appender.endRow();
      }
    }
  } finally {
    appender.closeSync();
  }
}
