/** Parquet lake files: workers stage typed CSV, DuckDB writes the Parquet. */
import type { FinishOptions, LakeFormat, PartFile, PartWriter, PartWriterOptions } from '../lake-format.js';
import { TypedCsvWriter } from './typed-csv-writer.js';

export function parquetFormat(workerId: number): LakeFormat {
  return {
    name: 'parquet',
    extension: 'parquet',
    createPartWriter(options: PartWriterOptions): PartWriter {
      return new TypedCsvWriter(options, `w${workerId}.csv`);
    },
    async finish(options: FinishOptions): Promise<PartFile[]> {
      // Loaded only where Parquet is finished (the main thread), never inside the workers.
      const { writeParquetParts } = await import('./duckdb-parquet-writer.js');
      return writeParquetParts(options);
    },
  };
}
