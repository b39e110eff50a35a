/**
 * The embedded warehouse over a lake in a bucket: DuckDB reads local files (its httpfs extension
 * would be a download at run time, which eventlake never does), so the published hours are
 * mirrored into the state folder first (by the S3 lake adapter's readableFolder), following each hour's manifest: every file of an hour
 * comes from one publish (etags checked), never a mix of two. An hour whose manifest has not
 * changed since the last mirror is not read again.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { listHourManifests, readHourFiles, type HourManifest } from '../hour-manifest.js';
import type { ObjectStore } from '../object-store.js';
import { s3ServerKey } from './s3-client.js';

export interface MirrorReport {
  /** The local folder the warehouse reads. */
  readonly dir: string;
  readonly hours: number;
  /** Hours read again because a newer publish replaced them (or they were new). */
  readonly refreshed: number;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Where a bucket lake is mirrored in the state folder: one folder per server, bucket and prefix
 * (two S3-compatible servers may each have a bucket `lake`).
 */
export function mirrorDir(stateDir: string, bucket: string, prefix: string, server = s3ServerKey()): string {
  const id = createHash('sha1').update(`${server}/${bucket}/${prefix}`).digest('hex').slice(0, 12);
  return join(stateDir, 'lake-mirror', `${bucket}-${id}`);
}

/** What the mirror holds of an hour: its manifest's run and etags. */
function fingerprint(manifest: HourManifest): string {
  return JSON.stringify([manifest.runId, manifest.partitions.map((p) => [p.partition, p.files.map((f) => f.etag)])]);
}

export async function mirrorLake(store: ObjectStore, stateDir: string, dir: string): Promise<MirrorReport> {
  await store.assertReadable();
  const marks = join(dir, '_mirrored');
  await mkdir(marks, { recursive: true });
  let refreshed = 0;
  let files = 0;
  let bytes = 0;
  const manifests = await listHourManifests(store);
  for (const listed of manifests) {
    const mark = join(marks, `${listed.partitionKey}.json`);
    const known = await readFile(mark, 'utf8').catch(() => undefined);
    if (known === fingerprint(listed)) continue;
    const snapshot = await readHourFiles(store, listed.partitionKey);
    if (!snapshot) continue; // unpublished meanwhile
    for (const { partition } of snapshot.manifest.partitions) {
      // The partition is replaced whole, as the publish replaced it.
      const fresh = join(dir, '_incoming', partition);
      await rm(fresh, { recursive: true, force: true });
      await mkdir(fresh, { recursive: true });
      for (const file of snapshot.files.filter((f) => f.partition === partition)) {
        await writeFile(join(fresh, file.key.slice(partition.length + 1)), file.body);
        files++;
        bytes += file.body.length;
      }
      const target = join(dir, partition);
      await rm(target, { recursive: true, force: true });
      await mkdir(dirname(target), { recursive: true });
      await rename(fresh, target);
    }
    await writeFile(mark, fingerprint(snapshot.manifest));
    refreshed++;
  }
  await rm(join(dir, '_incoming'), { recursive: true, force: true });
  return { dir, hours: manifests.length, refreshed, files, bytes };
}
