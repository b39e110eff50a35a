/** The formats eventlake can write, by name. */
import { avroFormat } from './avro/avro-format.js';
import type { FormatName, LakeFormat } from './lake-format.js';
import { parquetFormat } from './parquet/parquet-format.js';

const FACTORIES: Record<FormatName, (workerId: number) => LakeFormat> = {
  parquet: parquetFormat,
  avro: avroFormat,
};

export const FORMAT_NAMES = Object.keys(FACTORIES) as FormatName[];

export function lakeFormat(name: FormatName, workerId = 0): LakeFormat {
  return FACTORIES[name](workerId);
}
