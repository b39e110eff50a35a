/** Parquet lake files: tasks stage typed CSV, DuckDB writes the partition's Parquet. */
import type { FinishOptions, LakeFormat, PartFile, PartWriter, PartWriterOptions } from '../lake-format.js';
import { TypedCsvWriter } from './typed-csv-writer.js';

export const parquetFormat: LakeFormat = {
  name: 'parquet',
  extension: 'parquet',
  // What DuckDB's Parquet writer is asked for; zstd compresses this data best.
  codecs: ['zstd', 'snappy'],
  createPartWriter(options: PartWriterOptions): PartWriter {
    return new TypedCsvWriter(options, `${options.entity.name}.csv`);
  },
  async finish(options: FinishOptions): Promise<PartFile[]> {
    // Loaded only where Parquet is finished, never inside the workers.
    const { writeParquetParts } = await import('./duckdb-parquet-writer.js');
    return writeParquetParts(options);
  },
  async countPerMinute(paths, column) {
    const { countParquetPerMinute } = await import('./duckdb-minute-counts.js');
    return countParquetPerMinute(paths, column);
  },
};
