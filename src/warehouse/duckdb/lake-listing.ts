/**
 * The lake's partitions as the warehouse sees them: `<entity>/date=YYYY-MM-DD/hour=H/` folders
 * holding `.parquet` or `.avro` files, each with a signature that changes whenever a run
 * republishes it. Anything else under an entity's folder (a `date=` folder whose value is not a
 * calendar date, `hour=24`, a stray file, a folder inside a partition) was not written by
 * eventlake: it is left out and told as skipped, never read.
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

/** Something under an entity's folder that is no partition of the lake, and why. */
export interface SkippedLakeEntry {
  /** Relative to the lake's root, `/`-separated: `vehicle/date=2019-06-01=x`. */
  readonly path: string;
  readonly reason: string;
}

export interface LakeListing {
  readonly partitions: LakePartition[];
  readonly skipped: SkippedLakeEntry[];
}

/** The calendar date of a `date=` folder's value, or why it is not one. */
function dateOf(value: string): string | { readonly reason: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return { reason: 'its value is not a date YYYY-MM-DD' };
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) return { reason: 'its value is not a calendar date' };
  return value;
}

/** The hour of an `hour=` folder's value, or why it is not one. */
function hourOf(value: string): number | { readonly reason: string } {
  if (!/^\d{1,2}$/.test(value)) return { reason: 'its value is not an hour 0-23' };
  const hour = Number(value);
  return hour <= 23 ? hour : { reason: 'its value is not an hour 0-23' };
}

/** The entity's partitions, in date and hour order, and what was left out. */
export async function lakeListing(lakeRoot: string, entity: string): Promise<LakeListing> {
  const partitions: LakePartition[] = [];
  const skipped: SkippedLakeEntry[] = [];
  const root = join(lakeRoot, entity);
  if (!existsSync(root)) return { partitions, skipped };
  const seen = new Set<string>();
  const skip = (relative: string, reason: string): void => void skipped.push({ path: `${entity}/${relative}`, reason });
  for (const dateEntry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const dateDir = dateEntry.name;
    if (!dateEntry.isDirectory()) {
      skip(dateDir, 'a file where date=YYYY-MM-DD folders belong');
      continue;
    }
    const date = dateDir.startsWith('date=') ? dateOf(dateDir.slice('date='.length)) : { reason: 'not a date=YYYY-MM-DD folder' };
    if (typeof date !== 'string') {
      skip(dateDir, date.reason);
      continue;
    }
    for (const hourEntry of (await readdir(join(root, dateDir), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const hourDir = hourEntry.name;
      if (!hourEntry.isDirectory()) {
        skip(`${dateDir}/${hourDir}`, 'a file where hour=H folders belong');
        continue;
      }
      const hour = hourDir.startsWith('hour=') ? hourOf(hourDir.slice('hour='.length)) : { reason: 'not an hour=H folder' };
      if (typeof hour !== 'number') {
        skip(`${dateDir}/${hourDir}`, hour.reason);
        continue;
      }
      if (seen.has(`${date} ${hour}`)) {
        skip(`${dateDir}/${hourDir}`, `another folder of hour ${hour} of ${date} comes first`);
        continue;
      }
      const dir = join(root, dateDir, hourDir);
      const files: string[] = [];
      for (const file of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (file.isFile() && (file.name.endsWith('.parquet') || file.name.endsWith('.avro'))) files.push(file.name);
        else skip(`${dateDir}/${hourDir}/${file.name}`, file.isFile() ? 'not a .parquet or .avro file' : 'a folder inside a partition');
      }
      if (files.length === 0) continue;
      const stats = await Promise.all(
        files.map(async (f) => {
          const { size, mtimeMs } = await stat(join(dir, f));
          return `${f}:${size}:${mtimeMs}`;
        }),
      );
      seen.add(`${date} ${hour}`);
      partitions.push({
        entity,
        date,
        hour,
        key: `${entity}/${dateDir}/${hourDir}`,
        signature: stats.join('|'),
        files: files.map((f) => join(dir, f)),
        format: files.some((f) => f.endsWith('.avro')) ? 'avro' : 'parquet',
      });
    }
  }
  return { partitions, skipped };
}

export async function lakePartitions(lakeRoot: string, entity: string): Promise<LakePartition[]> {
  return (await lakeListing(lakeRoot, entity)).partitions;
}
