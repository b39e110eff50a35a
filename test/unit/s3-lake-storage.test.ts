/** A lake on a bucket, over the conditional memory store double standing in for the S3 store. */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { S3LakeStorage } from '../../src/storage/s3/s3-lake-storage.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';

describe('S3LakeStorage', () => {
  it('names the bucket and prefix, and shows keys as URLs', async () => {
    const lake = await S3LakeStorage.open('events-lake', 'prod/', new ConditionalMemoryStore());
    expect(lake.location).toBe('s3://events-lake/prod/');
    expect(lake.locate('vehicle/date=2019-06-01/hour=15/part-00000.parquet')).toBe('s3://events-lake/prod/vehicle/date=2019-06-01/hour=15/part-00000.parquet');
  });

  it('keeps a run scratch on this machine, the same for the same lake and run, apart for another lake', async () => {
    const run = '2019-06-01T15-abcd1234';
    const scratch = (await S3LakeStorage.open('events-lake', 'prod/', new ConditionalMemoryStore())).scratchDir(run);
    expect(scratch.startsWith(tmpdir())).toBe(true);
    expect(scratch.endsWith(`_staging/${run}/work`)).toBe(true);
    expect((await S3LakeStorage.open('events-lake', 'prod/', new ConditionalMemoryStore())).scratchDir(run)).toBe(scratch);
    expect((await S3LakeStorage.open('events-lake', 'test/', new ConditionalMemoryStore())).scratchDir(run)).not.toBe(scratch);
    expect((await S3LakeStorage.open('other-lake', 'prod/', new ConditionalMemoryStore())).scratchDir(run)).not.toBe(scratch);
  });

  it('checks it can write by writing a probe, and leaves nothing behind', async () => {
    const store = new ConditionalMemoryStore();
    const written: string[] = [];
    store.before = (op, key) => void (op === 'write' && written.push(key));
    await (await S3LakeStorage.open('events-lake', '', store)).assertWritable();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^_staging\/write-probe-/);
    expect(store.keys()).toEqual([]);
  });

  it('passes on the store refusing the probe', async () => {
    const store = new ConditionalMemoryStore();
    store.before = (op) => {
      if (op === 'write') throw new Error('s3://events-lake/ cannot be written: access denied');
    };
    await expect((await S3LakeStorage.open('events-lake', '', store)).assertWritable()).rejects.toThrow(/cannot be written: access denied/);
  });

  it('leases and publishes through the store it was given', async () => {
    const store = new ConditionalMemoryStore();
    const lake = await S3LakeStorage.open('events-lake', '', store);
    const lease = await lake.lease.acquire('2019-06-01T15', '2019-06-01T15-a');
    expect(store.keys('_leases/')).toEqual(['_leases/2019-06-01T15.lease']);
    await lake.publisher.publish('2019-06-01T15-a', [{ partition: 'vehicle/date=2019-06-01/hour=15', parts: [] }]);
    expect(store.keys('_manifests/')).toEqual(['_manifests/2019-06-01T15.json']);
    await lease.release();
  });
});
