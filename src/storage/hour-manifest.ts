/**
 * The hour manifest of a lake on an object store: which files make up each partition of the
 * hour, with the etag of each. A bucket has no rename, so a publish overwrites final keys one by
 * one and a plain listing may briefly show old and new parts of an hour together; the manifest
 * is written after the swap, and a reader that follows it and checks every etag sees either the
 * old hour or the new one, never a mix.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { UserError } from '../errors/user-error.js';
import { hourManifestKey, hourManifestsRoot } from '../pipeline/lake-layout.js';
import type { ObjectStore } from './object-store.js';

export const HOUR_MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** The file's key in the lake, e.g. `vehicle/date=2019-06-01/hour=15/part-00000.parquet`. */
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  readonly etag: string;
}

export interface ManifestPartition {
  readonly partition: string;
  /** Empty when the run had nothing for it: the partition has no files. */
  readonly files: readonly ManifestFile[];
}

export interface HourManifest {
  readonly version: typeof HOUR_MANIFEST_VERSION;
  /** The hour's label, e.g. `2019-06-01T15`. */
  readonly partitionKey: string;
  /** The run whose publish this is. */
  readonly runId: string;
  /** When that run's plan listed the hour's sources (PlanOrder): an older plan may not replace it. */
  readonly plannedAt?: string;
  readonly publishedAt: string;
  /**
   * Milliseconds from the first change to a final key to the last: how long a reader that
   * lists keys instead of following this manifest could have seen old and new parts together.
   */
  readonly swapMs: number;
  readonly partitions: readonly ManifestPartition[];
}

const count = z.number().int().nonnegative();

const hourManifest = z.object({
  version: z.literal(HOUR_MANIFEST_VERSION),
  partitionKey: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/),
  runId: z.string().min(1),
  plannedAt: z.iso.datetime().optional(),
  publishedAt: z.iso.datetime(),
  swapMs: z.number().nonnegative(),
  partitions: z.array(
    z.object({
      partition: z.string().min(1),
      files: z.array(z.object({ key: z.string().min(1), rows: count, bytes: count, etag: z.string().min(1) })),
    }),
  ),
});

export async function writeHourManifest(store: ObjectStore, manifest: HourManifest): Promise<void> {
  await store.write(hourManifestKey(manifest.partitionKey), Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
}

function parseManifest(store: ObjectStore, key: string, body: Buffer): HourManifest {
  const what = `the hour manifest ${key} in ${store.location}`;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new UserError(`${what} is not JSON; run the hour again to rewrite it`);
  }
  const parsed = hourManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
    throw new UserError(`${what} is not an eventlake hour manifest (${where}); run the hour again to rewrite it`);
  }
  return parsed.data as HourManifest;
}

/** The hour's manifest, or undefined when the hour was never published to this lake. */
export async function readHourManifest(store: ObjectStore, partitionKey: string): Promise<HourManifest | undefined> {
  const key = hourManifestKey(partitionKey);
  const found = await store.readVersion(key);
  return found ? parseManifest(store, key, found.body) : undefined;
}

/** Every published hour of the lake, in hour order: for status and the warehouse. */
export async function listHourManifests(store: ObjectStore): Promise<HourManifest[]> {
  const manifests: HourManifest[] = [];
  for await (const info of store.list(`${hourManifestsRoot}/`)) {
    if (!info.key.endsWith('.json')) continue;
    const found = await store.readVersion(info.key);
    if (found) manifests.push(parseManifest(store, info.key, found.body)); // gone meanwhile: skipped
  }
  return manifests.sort((a, b) => a.partitionKey.localeCompare(b.partitionKey));
}

export interface HourFile extends ManifestFile {
  readonly partition: string;
  readonly body: Buffer;
}

export interface HourSnapshot {
  readonly manifest: HourManifest;
  /** In the manifest's order: partition by partition, parts in row order. */
  readonly files: readonly HourFile[];
}

export interface ReadHourOptions {
  /** Which partitions to read (all by default), e.g. one table's. */
  readonly partitions?: (partition: string) => boolean;
  /** How many times the hour is read before giving up (default 5). */
  readonly attempts?: number;
  /** The first wait after a mismatch, doubled each time (default 200 ms). */
  readonly waitMs?: number;
  /** How to wait; tests pass one that does not sleep. */
  readonly wait?: (ms: number) => Promise<void>;
}

/**
 * The hour's files, all of one publish. Each listed file is read with its etag; an etag the
 * manifest does not name means a publish is overwriting the hour right now, so after a short
 * wait the manifest is read again and the hour from the start. Undefined when the hour has no
 * manifest. Files are read whole: pass `partitions` to read only what is needed.
 */
export async function readHourFiles(store: ObjectStore, partitionKey: string, options: ReadHourOptions = {}): Promise<HourSnapshot | undefined> {
  const attempts = options.attempts ?? 5;
  const wait = options.wait ?? ((ms: number) => sleep(ms));
  let waitMs = options.waitMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    const manifest = await readHourManifest(store, partitionKey);
    if (!manifest) return undefined;
    const files = await readListed(store, manifest, options.partitions ?? (() => true));
    if (files) return { manifest, files };
    if (attempt >= attempts) {
      throw new UserError(
        `hour ${partitionKey} in ${store.location} kept changing while it was read (${attempts} attempts; another run is publishing it); try again when that run has finished`,
      );
    }
    await wait(waitMs);
    waitMs *= 2;
  }
}

/** The listed files, or undefined as soon as one is not the version the manifest names. */
async function readListed(store: ObjectStore, manifest: HourManifest, wanted: (partition: string) => boolean): Promise<HourFile[] | undefined> {
  const files: HourFile[] = [];
  for (const { partition, files: listed } of manifest.partitions) {
    if (!wanted(partition)) continue;
    for (const file of listed) {
      const found = await store.readVersion(file.key);
      if (found?.etag !== file.etag) return undefined;
      files.push({ ...file, partition, body: found.body });
    }
  }
  return files;
}
