/** Rows per minute of a timestamp column of Avro lake files, read block by block with avsc. */
import { createReadStream } from 'node:fs';
import avro from 'avsc';
import { avroDecoders } from './avro-codecs.js';

const MINUTE_MS = 60_000;

function countFile(path: string, column: string, counts: Map<number, number>): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(path)
      .on('error', reject)
      .pipe(new avro.streams.BlockDecoder({ codecs: avroDecoders }))
      .on('data', (record: Record<string, unknown>) => {
        // timestamp-millis, read as its long: the logical type is not registered with avsc.
        const value = record[column];
        if (typeof value !== 'number') return;
        const minute = Math.floor(value / MINUTE_MS);
        counts.set(minute, (counts.get(minute) ?? 0) + 1);
      })
      .on('error', reject)
      .on('end', resolve);
  });
}

export async function countAvroPerMinute(paths: readonly string[], column: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const path of paths) await countFile(path, column, counts);
  return counts;
}
