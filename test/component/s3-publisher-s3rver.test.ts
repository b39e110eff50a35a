/**
 * The S3 publisher against a real S3 API (s3rver on loopback): publishing never goes backwards
 * (an older plan is refused under the hour's lease), and a publish journal whose staged parts
 * expired is rolled back in one sentence, so the hour's rerun publishes instead of failing forever.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishJournal, stagedPartition } from '../../src/pipeline/lake-layout.js';
import { PublishOrderError } from '../../src/storage/errors.js';
import { readHourFiles, readHourManifest } from '../../src/storage/hour-manifest.js';
import type { PartitionParts } from '../../src/storage/publisher.js';
import { S3LakeStorage } from '../../src/storage/s3/s3-lake-storage.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { useS3Server } from '../helpers/s3-server.js';

const HOUR = '2019-06-01T15';
const VEHICLE = 'vehicle/date=2019-06-01/hour=15';

async function parts(runId: string, contents: readonly string[]): Promise<PartitionParts[]> {
  const dir = join(await tempDir(), runId);
  await mkdir(dir, { recursive: true });
  const finished = [];
  for (const [i, content] of contents.entries()) {
    const name = `part-${String(i).padStart(5, '0')}.parquet`;
    await writeFile(join(dir, name), content);
    finished.push({ name, file: join(dir, name), rows: 1, bytes: Buffer.byteLength(content) });
  }
  return [{ partition: VEHICLE, parts: finished }];
}

async function hourBodies(store: S3ObjectStore): Promise<string[] | undefined> {
  return (await readHourFiles(store, HOUR))?.files.map((f) => f.body.toString('utf8'));
}

async function stagingKeys(store: S3ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list('_staging/')) keys.push(key);
  return keys;
}

describe('S3Publisher on s3rver (a real S3 API on loopback)', () => {
  useS3Server(['lake']);

  it('refuses, under the hour lease, a plan older than the publish the hour holds; the newer rows stay', async () => {
    const store = new S3ObjectStore('lake', 'order/');
    const lake = await S3LakeStorage.open('lake', 'order/', store);
    const newer = await lake.lease.acquire(HOUR, `${HOUR}-newer`);
    await lake.publisher.publish(`${HOUR}-newer`, await parts(`${HOUR}-newer`, ['new0', 'new1']), { plannedAt: '2019-06-01T16:10:00.000Z' });
    await newer.release();

    const older = await lake.lease.acquire(HOUR, `${HOUR}-older`);
    await older.assertHeld();
    await expect(lake.publisher.publish(`${HOUR}-older`, await parts(`${HOUR}-older`, ['old0']), { plannedAt: '2019-06-01T16:05:00.000Z' })).rejects.toThrow(PublishOrderError);
    await older.release();
    expect(await hourBodies(store)).toEqual(['new0', 'new1']);
    expect(await readHourManifest(store, HOUR)).toMatchObject({ runId: `${HOUR}-newer`, plannedAt: '2019-06-01T16:10:00.000Z' });
    expect(await stagingKeys(store)).toEqual([]);
  });

  it('rolls back a journal whose staged parts expired and says so; the rerun publishes', async () => {
    // A prefix of its own: this machine's scratch for a lake is keyed by bucket and prefix.
    const prefix = `expiry-${randomUUID().slice(0, 8)}/`;
    const store = new S3ObjectStore('lake', prefix);
    const lake = await S3LakeStorage.open('lake', prefix, store);
    await lake.publisher.publish(`${HOUR}-a`, await parts(`${HOUR}-a`, ['a0']));
    // Run b died after its journal; two days later its staged part was expired by the bucket's lifecycle rule.
    await store.write(`${stagedPartition(`${HOUR}-b`, VEHICLE)}/part-00000.parquet`, Buffer.from('b0'));
    await store.write(publishJournal(`${HOUR}-b`), Buffer.from(JSON.stringify({ version: 1, partitions: [{ partition: VEHICLE, parts: [{ name: 'part-00000.parquet', rows: 1, bytes: 2 }] }] })));
    await store.delete(`${stagedPartition(`${HOUR}-b`, VEHICLE)}/part-00000.parquet`);

    // The hour's rerun: recovery first, as a run does on taking the lease.
    const lease = await lake.lease.acquire(HOUR, `${HOUR}-c`);
    const recovered = await lake.publisher.recover(HOUR, `${HOUR}-c`);
    expect(recovered.map((r) => [r.runId, r.outcome])).toEqual([[`${HOUR}-b`, 'rolled-back']]);
    expect(recovered[0]?.message).toMatch(/^run 2019-06-01T15-b's interrupted publish of hour 2019-06-01T15 was rolled back, not finished: 1 of its 1 staged parts are gone .*so the hour is run again from its sources; until then the lake still holds run 2019-06-01T15-a's publish of the hour$/);
    expect(await stagingKeys(store)).toEqual([]);
    expect(await hourBodies(store)).toEqual(['a0']);
    await lake.publisher.publish(`${HOUR}-c`, await parts(`${HOUR}-c`, ['c0', 'c1']));
    await lease.release();
    expect(await hourBodies(store)).toEqual(['c0', 'c1']);
  });
});
