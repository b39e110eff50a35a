/**
 * The formats eventlake can write, by name. Each is loaded on first use: the Avro encoder is
 * never loaded for a Parquet run, and DuckDB only where Parquet is finished.
 */
import type { FormatName, LakeFormat } from './lake-format.js';

const LOADERS: Record<FormatName, () => Promise<LakeFormat>> = {
  parquet: async () => (await import('./parquet/parquet-format.js')).parquetFormat,
  avro: async () => (await import('./avro/avro-format.js')).avroFormat,
};

export const FORMAT_NAMES = Object.keys(LOADERS) as FormatName[];

export function loadLakeFormat(name: FormatName): Promise<LakeFormat> {
  return LOADERS[name]();
}
