import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.js';
import { formatLocation, isS3Location, parseLocation } from '../../src/storage/location.js';

describe('parseLocation', () => {
  it('reads s3://bucket, s3://bucket/ and s3://bucket/prefix, the prefix always ending in /', () => {
    expect(parseLocation('s3://my-lake', '--lake')).toEqual({ kind: 's3', bucket: 'my-lake', prefix: '' });
    expect(parseLocation('s3://my-lake/', '--lake')).toEqual({ kind: 's3', bucket: 'my-lake', prefix: '' });
    expect(parseLocation('s3://my.lake/raw/events', '--source')).toEqual({ kind: 's3', bucket: 'my.lake', prefix: 'raw/events/' });
    expect(parseLocation('S3://feed/2019/', '--source')).toEqual({ kind: 's3', bucket: 'feed', prefix: '2019/' });
  });

  it('takes anything else for a folder, resolved', () => {
    expect(isS3Location('./lake')).toBe(false);
    expect(parseLocation('./lake', '--lake')).toEqual({ kind: 'local', root: resolve('./lake') });
  });

  it('refuses a bucket S3 could not have, and empty, . or .. prefix parts, naming the flag', () => {
    expect(() => parseLocation('s3://My_Bucket/x', '--lake')).toThrow(UserError);
    expect(() => parseLocation('s3://My_Bucket/x', '--lake')).toThrow('--lake s3://My_Bucket/x does not name a bucket; write s3://bucket/ or s3://bucket/prefix');
    expect(() => parseLocation('s3://', '--lake')).toThrow('does not name a bucket');
    for (const bad of ['s3://lake/a//b', 's3://lake//', 's3://lake/a/../b', 's3://lake/./a']) {
      expect(() => parseLocation(bad, '--source')).toThrow(`--source ${bad} has an empty, '.' or '..' part in its prefix`);
    }
  });

  it('writes a configuration back as a person types it', () => {
    expect(formatLocation(parseLocation('s3://lake/raw', '--lake'))).toBe('s3://lake/raw/');
    expect(formatLocation(parseLocation('s3://lake', '--lake'))).toBe('s3://lake/');
    expect(formatLocation({ kind: 'local', root: '/data/lake' })).toBe('/data/lake');
  });
});
