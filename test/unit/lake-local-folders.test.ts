/**
 * The folders on this machine a lake uses: a bucket lake's scratch and its warehouse mirror are
 * kept apart per server, bucket and prefix (two S3-compatible servers may each have a bucket
 * `lake`: sharing a folder, a run against one would clear or read the other's files).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalLakeStorage } from '../../src/storage/local/local-lake-storage.js';
import { mirrorDir } from '../../src/storage/s3/s3-lake-mirror.js';
import { S3LakeStorage } from '../../src/storage/s3/s3-lake-storage.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';

const saved = { AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3: process.env.AWS_ENDPOINT_URL_S3, AWS_REGION: process.env.AWS_REGION };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function scratchOn(endpoint: string | undefined, bucket = 'lake', prefix = ''): string {
  delete process.env.AWS_ENDPOINT_URL_S3;
  if (endpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = endpoint;
  return new S3LakeStorage(bucket, prefix, new ConditionalMemoryStore()).scratchDir('2019-06-01T15-aaaaaaaa');
}

describe('a bucket lake\'s folders on this machine', () => {
  it('its scratch differs by server, bucket and prefix, and is the same again for the same lake (a resumed run finds its tasks)', () => {
    const one = scratchOn('http://127.0.0.1:4568');
    expect(scratchOn('http://127.0.0.1:4569')).not.toBe(one);
    expect(scratchOn(undefined)).not.toBe(one);
    expect(scratchOn('http://127.0.0.1:4568', 'other')).not.toBe(one);
    expect(scratchOn('http://127.0.0.1:4568', 'lake', 'tables/')).not.toBe(one);
    expect(scratchOn('http://127.0.0.1:4568')).toBe(one);
  });

  it('on AWS itself, the region does not make it another lake (bucket names are global there)', () => {
    process.env.AWS_REGION = 'eu-west-1';
    const west = scratchOn(undefined);
    process.env.AWS_REGION = 'us-east-1';
    expect(scratchOn(undefined)).toBe(west);
  });

  it('its warehouse mirror differs by server too', () => {
    expect(mirrorDir('/state', 'lake', '', '127.0.0.1:4568')).not.toBe(mirrorDir('/state', 'lake', '', '127.0.0.1:4569'));
    expect(mirrorDir('/state', 'lake', '', '127.0.0.1:4568')).toBe(mirrorDir('/state', 'lake', '', '127.0.0.1:4568'));
    expect(mirrorDir('/state', 'lake', '', '127.0.0.1:4568')).toMatch(/^\/state\/lake-mirror\/lake-[0-9a-f]{12}$/);
  });

  it('a folder lake is read by the warehouse where it is: nothing mirrored', async () => {
    expect(await new LocalLakeStorage('/data/lake').readableFolder()).toBe('/data/lake');
  });
});
