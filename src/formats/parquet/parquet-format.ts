/** Parquet lake files: tasks stage typed CSV, DuckDB writes the partition's Parquet. */
import type { FinishOptions, LakeFormat, PartFile, PartWriter, PartWriterOptions } from '../lake-format.js';
import { TypedCsvWriter } from './typed-csv-writer.js';

/** Loaded only where Parquet is finished, never inside the workers. */
function parquetWriter(): Promise<typeof import('./duckdb-parquet-writer.js')> {
  return import('./duckdb-parquet-writer.js');
}

export const parquetFormat: LakeFormat = {
  name: 'parquet',
  extension: 'parquet',
  // What DuckDB's Parquet writer is asked for; zstd compresses this data best.
  codecs: ['zstd', 'snappy'],
  createPartWriter(options: PartWriterOptions): PartWriter {
    return new TypedCsvWriter(options, `${options.entity.name}.csv`);
  },
  async finish(options: FinishOptions): Promise<PartFile[]> {
    const { writeParquetParts } = await parquetWriter();
    return writeParquetParts(options);
  },
  prepareFinish() {
    // Loading DuckDB takes about half a second: during the scan, it is off the run's critical path.
    parquetWriter().catch(() => undefined); // a failed load is seen again by finish()
  },
  async countPerMinute(paths, column) {
    const { countParquetPerMinute } = await import('./duckdb-minute-counts.js');
    return countParquetPerMinute(paths, column);
  },
};
