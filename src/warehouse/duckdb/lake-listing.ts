/**
 * The lake's partitions as the warehouse sees them: `<entity>/date=YYYY-MM-DD/hour=H/` folders
 * holding `.parquet` or `.avro` files, each with a signature that changes whenever a run
 * republishes it.
 */
import { readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface LakePartition {
  readonly entity: string;
  readonly date: string;
  readonly hour: number;
  readonly key: string;
  /** Names, sizes and modification times of its files: changes whenever a run republishes it. */
  readonly signature: string;
  readonly files: readonly string[];
  readonly format: 'parquet' | 'avro';
}

export async function lakePartitions(lakeRoot: string, entity: string): Promise<LakePartition[]> {
  const partitions: LakePartition[] = [];
  const root = join(lakeRoot, entity);
  if (!existsSync(root)) return partitions;
  for (const dateDir of (await readdir(root)).sort()) {
    const date = /^date=(\d{4}-\d{2}-\d{2})$/.exec(dateDir)?.[1];
    if (!date) continue;
    for (const hourDir of (await readdir(join(root, dateDir))).sort()) {
      const hour = /^hour=(\d{1,2})$/.exec(hourDir)?.[1];
      if (hour === undefined) continue;
      const dir = join(root, dateDir, hourDir);
      const files = (await readdir(dir)).filter((f) => f.endsWith('.parquet') || f.endsWith('.avro')).sort();
      if (files.length === 0) continue;
      const stats = await Promise.all(
        files.map(async (f) => {
          const { size, mtimeMs } = await stat(join(dir, f));
          return `${f}:${size}:${mtimeMs}`;
        }),
      );
      partitions.push({
        entity,
        date,
        hour: Number(hour),
        key: `${entity}/${dateDir}/${hourDir}`,
        signature: stats.join('|'),
        files: files.map((f) => join(dir, f)),
        format: files.some((f) => f.endsWith('.avro')) ? 'avro' : 'parquet',
      });
    }
  }
  return partitions;
}

