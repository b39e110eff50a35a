/**
 * The S3 object store against a real S3 API on loopback (s3rver 3.7.1, Node 20), and against a
 * scripted node:http server for the answers s3rver never gives.
 *
 * What s3rver does, measured while writing these tests (design the tests around what is real):
 * - It ignores `If-None-Match: *` on PUT: a second conditional PUT of a key succeeds.
 * - It ignores `If-Match` on PUT too: a PUT with a wrong etag, or to a missing key, succeeds
 *   and writes. So the 412/409/404 → false mapping is tested on the scripted server.
 * - Multipart upload works (create, parts, complete) and round-trips byte-exact, but the ETag
 *   is a plain MD5 without S3's `-<parts>` suffix: multipart is seen in the request log.
 * - CopyObject works; the copy's ETag is the source's. It decodes CopySource with decodeURI,
 *   which leaves %3D, %2B, %26… encoded: a fully encoded `date=…` source is "not found" there.
 * - ListObjectsV2 with MaxKeys below the key count: the continuation token is made with DES,
 *   which Node 20's OpenSSL 3 refuses, so every truncated page was a 500 InternalError in
 *   process. The helper runs s3rver in a child with --openssl-legacy-provider; then it pages.
 * - A streamed PutObject with the SDK's default checksums (aws-chunked, CRC32 trailer) is
 *   stored with the chunk framing as the object's bytes; see src/storage/s3/s3-client.ts.
 * - It knows key ids (an unknown one is 403 InvalidAccessKeyId) but does not check SigV4
 *   signatures: a wrong secret is accepted. SignatureDoesNotMatch is tested on the scripted server.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StorageLocationError } from '../../src/storage/errors.js';
import type { ObjectStore, SkippedEntry } from '../../src/storage/object-store.js';
import { resetS3Client, s3Client, s3ClientSettings, s3EndpointHost } from '../../src/storage/s3/s3-client.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { useS3Server } from '../helpers/s3-server.js';

const MiB = 1024 * 1024;
// Secret-looking values: no message may ever show them.
const SECRET_KEY_ID = 'AKIAEVENTLAKETESTKEY7';
const SECRET = 'eventlake/Secret+Value/DoNotPrint0123456789abcdefgh';

/** Bytes that differ along the whole body, so a misplaced part shows. */
function pattern(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 13)) & 0xff;
  return bytes;
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function streamed(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

/** The error an operation fails with, or a test failure when it does not fail. */
async function failure(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the operation to fail');
}

/** Sets (or, for undefined, unsets) variables for one piece of work, with a fresh client. */
async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetS3Client();
  };
  apply(vars);
  try {
    return await work();
  } finally {
    apply(saved);
  }
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('S3ObjectStore on s3rver (a real S3 API on loopback)', () => {
  const server = useS3Server(['lake']);

  it('lists under the store prefix and bucket-wide, keys relative, etags bare, folder markers skipped', async () => {
    const store = new S3ObjectStore('lake', 'listing/');
    const one = Buffer.from('{"one":1}\n');
    await store.write('2019/06/01/a.json', one);
    await store.write('2019/06/02/b.json', Buffer.from('bb'));
    await store.write('other.json', Buffer.from('c'));
    await store.write('2019/empty-folder/', Buffer.alloc(0)); // what a console's "Create folder" leaves
    const skipped: SkippedEntry[] = [];
    const june = await collect(store.list('2019/06/', { onSkipped: (entry) => skipped.push(entry) }));
    expect(june.map((info) => [info.key, info.size]).sort()).toEqual([
      ['2019/06/01/a.json', one.length],
      ['2019/06/02/b.json', 2],
    ]);
    const a = june.find((info) => info.key === '2019/06/01/a.json')!;
    expect(a.etag).toBe(md5(one));
    expect(a.lastModified).toBeInstanceOf(Date);
    expect(Math.abs(a.lastModified.getTime() - Date.now())).toBeLessThan(24 * 3600 * 1000);
    expect(skipped).toEqual([]);

    const all = await collect(store.list('', { onSkipped: (entry) => skipped.push(entry) }));
    expect(all.map((info) => info.key).sort()).toEqual(['2019/06/01/a.json', '2019/06/02/b.json', 'other.json']);
    expect(skipped).toEqual([{ key: '2019/empty-folder/', reason: 'a folder marker, not an object' }]);

    const bucket = new S3ObjectStore('lake', '');
    expect(bucket.location).toBe('s3://lake/');
    const keys = (await collect(bucket.list('listing/2019/06/'))).map((info) => info.key).sort();
    expect(keys).toEqual(['listing/2019/06/01/a.json', 'listing/2019/06/02/b.json']);
  });

  it('reads what the test helper uploads from a folder into a bucket it creates', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '2019/06/01'), { recursive: true });
    await writeFile(join(dir, '2019/06/01/a-events.txt'), 'a');
    await writeFile(join(dir, 'top.txt'), 'top');
    await server().createBucket('feed');
    expect(await server().uploadFolder('feed', 'raw/', dir)).toBe(2);
    const listed = await collect(new S3ObjectStore('feed', 'raw/').list());
    expect(listed.map((info) => info.key).sort()).toEqual(['2019/06/01/a-events.txt', 'top.txt']);
  });

  it('pages through ListObjectsV2 with the page size given', async () => {
    const store = new S3ObjectStore('lake', 'paged/', { pageSize: 2 });
    for (let i = 0; i < 5; i++) await store.write(`k${i}`, Buffer.from(String(i)));
    await server().takeRequests();
    const keys = (await collect(store.list())).map((info) => info.key).sort();
    expect(keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    const lists = (await server().takeRequests()).filter((r) => r.startsWith('GET /lake/?') && r.includes('list-type=2'));
    expect(lists).toHaveLength(3);
    expect(lists.every((r) => r.includes('max-keys=2'))).toBe(true);
    expect(lists.filter((r) => r.includes('continuation-token='))).toHaveLength(2);
  });

  it('streams a multi-MB object in chunks, starting the request only when read, and reads it whole', async () => {
    const store = new S3ObjectStore('lake', 'reads/');
    const body = pattern(5 * MiB);
    await store.write('big.bin', body);
    await server().takeRequests();
    const stream = store.read('big.bin');
    await store.delete('never-there');
    expect(await server().takeRequests()).toEqual([expect.stringMatching(/^DELETE \/lake\/reads\/never-there/)]);
    const { bytes, chunks } = await streamed(stream);
    expect(chunks).toBeGreaterThan(1);
    expect(bytes.equals(body)).toBe(true);
    expect((await store.readAll('big.bin')).equals(body)).toBe(true);
  });

  it('reads a version (bytes and the etag a listing shows), and undefined for a missing key', async () => {
    const store = new S3ObjectStore('lake', 'versions/');
    await store.write('claim.json', Buffer.from('{"run":"r1"}'));
    const version = await store.readVersion('claim.json');
    const [listed] = await collect(store.list('claim.json'));
    expect(version?.body.toString()).toBe('{"run":"r1"}');
    expect(version?.etag).toBe(listed!.etag);
    expect(await store.readVersion('missing.json')).toBeUndefined();
  });

  it('writes a small Buffer in one PUT, a Buffer over 8 MiB and a 17 MiB stream in 8 MiB parts, byte-exact', async () => {
    const store = new S3ObjectStore('lake', 'writes/');
    await server().takeRequests();
    await store.write('small.bin', pattern(1000));
    expect(await server().takeRequests()).toEqual([expect.stringMatching(/^PUT \/lake\/writes\/small\.bin\?x-id=PutObject$/)]);

    const nine = pattern(9 * MiB, 2);
    await store.write('nine.bin', nine);
    const nineRequests = await server().takeRequests();
    expect(nineRequests.filter((r) => /^PUT .*partNumber=/.test(r))).toHaveLength(2);
    expect((await store.readAll('nine.bin')).equals(nine)).toBe(true);

    const big = pattern(17 * MiB, 3);
    // Uneven pieces, as a real stream gives them.
    const pieces = [big.subarray(0, 3 * MiB + 5), big.subarray(3 * MiB + 5, 11 * MiB), big.subarray(11 * MiB)];
    await store.write('big.bin', Readable.from(pieces));
    const requests = await server().takeRequests();
    expect(requests.filter((r) => r.startsWith('POST') && r.includes('uploads'))).toHaveLength(1);
    expect(requests.filter((r) => /^PUT .*partNumber=/.test(r))).toHaveLength(3);
    expect(requests.filter((r) => r.startsWith('POST') && r.includes('uploadId='))).toHaveLength(1);
    const back = await store.readAll('big.bin');
    expect(back.length).toBe(big.length);
    expect(back.equals(big)).toBe(true);

    // A short stream goes up as one plain PUT: its bytes, not aws-chunked framing.
    await store.write('short.txt', Readable.from([Buffer.from('hel'), Buffer.from('lo')]));
    expect((await store.readAll('short.txt')).toString()).toBe('hello');
  });

  it('gives the shared client plain bodies: a streamed PutObject (as other S3 adapters may send) stores its bytes', async () => {
    await s3Client().send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'client/streamed.txt', Body: Readable.from([Buffer.from('hel'), Buffer.from('lo')]), ContentLength: 5 }),
    );
    expect((await new S3ObjectStore('lake', 'client/').readAll('streamed.txt')).toString()).toBe('hello');
  });

  it('copies on the server (a lake key with =, spaces and accents), answering the copy etag', async () => {
    const store = new S3ObjectStore('lake', 'copies/');
    const body = Buffer.from('part bytes');
    await store.write('_staged/vehicle/date=2019-06-01/task 1/part ä.parquet', body);
    const etag = await store.copy('_staged/vehicle/date=2019-06-01/task 1/part ä.parquet', 'final/part-0.parquet');
    expect(etag).toBe(md5(body));
    const [listed] = await collect(store.list('final/'));
    expect(listed).toMatchObject({ key: 'final/part-0.parquet', etag });
    expect((await store.readAll('final/part-0.parquet')).equals(body)).toBe(true);
    const missing = await failure(() => store.copy('staged/none.parquet', 'final/x.parquet'));
    expect(missing).toBeInstanceOf(StorageLocationError);
    expect(missing.message).toBe('s3://lake/copies/staged/none.parquet does not exist');
  });

  it('deletes an object, and deleting a missing key is not an error', async () => {
    const store = new S3ObjectStore('lake', 'deletes/');
    await store.write('gone.txt', Buffer.from('x'));
    await store.delete('gone.txt');
    expect(await store.readVersion('gone.txt')).toBeUndefined();
    await expect(store.delete('never-there.txt')).resolves.toBeUndefined();
  });

  it('creates and replaces with conditions (what s3rver honours: the write itself)', async () => {
    const store = new S3ObjectStore('lake', 'conditional/');
    expect(await store.createIfAbsent('lease.json', Buffer.from('v1'))).toBe(true);
    const version = await store.readVersion('lease.json');
    expect(await store.replaceIfMatch('lease.json', Buffer.from('v2'), version!.etag)).toBe(true);
    expect((await store.readAll('lease.json')).toString()).toBe('v2');
  });

  it('reports a missing bucket in one sentence, for every operation', async () => {
    const store = new S3ObjectStore('no-such-bucket', 'feed/');
    const expected = `bucket no-such-bucket does not exist at ${new URL(server().endpoint).host}; check the bucket in s3://no-such-bucket/feed/`;
    for (const work of [
      () => store.assertReadable(),
      () => collect(store.list()),
      () => store.readVersion('x.json'),
      () => store.write('x.json', Buffer.from('x')),
    ]) {
      const err = await failure(work);
      expect(err).toBeInstanceOf(StorageLocationError);
      expect(err.message.startsWith(expected.split(';')[0]!)).toBe(true);
    }
    expect((await failure(() => store.assertReadable())).message).toBe(expected);
  });

  it('reports a missing key as a stream error and from readAll', async () => {
    const store = new S3ObjectStore('lake', 'feed/');
    await expect(store.assertReadable()).resolves.toBeUndefined();
    const streamError = await failure(() => streamed(store.read('2019/missing.json')));
    expect(streamError).toBeInstanceOf(StorageLocationError);
    expect(streamError.message).toBe('s3://lake/feed/2019/missing.json does not exist');
    expect((await failure(() => store.readAll('2019/missing.json'))).message).toBe('s3://lake/feed/2019/missing.json does not exist');
  });

  it('reports an endpoint that refuses connections, naming its host and the code', async () => {
    const port = await closedPort();
    await withEnv({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }, async () => {
      const err = await failure(() => new S3ObjectStore('lake', '').assertReadable());
      expect(err).toBeInstanceOf(StorageLocationError);
      expect(err.message).toBe(
        `cannot reach S3 at 127.0.0.1:${port} (ECONNREFUSED) for s3://lake/; check the network, or AWS_ENDPOINT_URL if it is set`,
      );
    });
  });

  it('reports missing credentials, saying what to set', async () => {
    const nowhere = join(await tempDir(), 'none');
    const vars = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: 'eventlake-no-such-profile',
      AWS_CONFIG_FILE: nowhere,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    };
    await withEnv(vars, async () => {
      const err = await failure(() => new S3ObjectStore('lake', 'feed/').assertReadable());
      expect(err).toBeInstanceOf(StorageLocationError);
      expect(err.message).toBe(
        'no AWS credentials were found for s3://lake/feed/ (profile eventlake-no-such-profile has none); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE to a profile in ~/.aws/config, or run with an IAM role',
      );
    });
  });

  it('never shows the access key id or the secret (s3rver knows key ids, not signatures)', async () => {
    const store = new S3ObjectStore('lake', 'feed/');
    const host = new URL(server().endpoint).host;
    await withEnv({ AWS_ACCESS_KEY_ID: SECRET_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }, async () => {
      const messages = await Promise.all(
        [() => store.assertReadable(), () => store.readAll('a.json'), () => store.write('a.json', Buffer.from('x')), () => collect(store.list())].map(
          async (work) => (await failure(work)).message,
        ),
      );
      expect(messages[0]).toBe(
        `S3 at ${host} does not know the access key id in use for s3://lake/feed/; check AWS_ACCESS_KEY_ID or the profile AWS_PROFILE names`,
      );
      for (const message of messages) {
        expect(message).not.toContain(SECRET_KEY_ID);
        expect(message).not.toContain(SECRET);
      }
    });
  });
});

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly headers?: Record<string, string>;
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`;
}

describe('S3ObjectStore against a scripted loopback HTTP server (real HTTP, answers S3 gives and s3rver does not)', () => {
  let http: Server;
  let seen: SeenRequest[];
  let answers: Answer[];
  let host: string;
  let saved: Record<string, string | undefined>;

  beforeAll(async () => {
    http = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const answer = answers.shift() ?? { status: 200 };
      req.resume();
      req.on('end', () => {
        const body = answer.code ? errorXml(answer.code, answer.message ?? answer.code) : '';
        res.writeHead(answer.status, { 'content-type': 'application/xml', ...answer.headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  beforeEach(() => {
    seen = [];
    answers = [];
    const vars: Record<string, string | undefined> = {
      AWS_ENDPOINT_URL: `http://${host}`,
      AWS_ACCESS_KEY_ID: SECRET_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: undefined,
      AWS_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
    };
    saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetS3Client();
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetS3Client();
  });

  const store = (): ObjectStore => new S3ObjectStore('lake', 'runs/');

  it('createIfAbsent sends If-None-Match: * and answers false on 412 PreconditionFailed', async () => {
    answers.push({ status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' });
    expect(await store().createIfAbsent('claim.json', Buffer.from('{}'))).toBe(false);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/lake/runs/claim.json?x-id=PutObject' });
    expect(seen[0]!.headers['if-none-match']).toBe('*');
  });

  it('createIfAbsent answers false on 409 ConditionalRequestConflict, true on 200', async () => {
    answers.push({ status: 409, code: 'ConditionalRequestConflict', message: 'A conflicting operation occurred' });
    expect(await store().createIfAbsent('claim.json', Buffer.from('{}'))).toBe(false);
    answers.push({ status: 200, headers: { etag: '"e1"' } });
    expect(await store().createIfAbsent('claim.json', Buffer.from('{}'))).toBe(true);
  });

  it('replaceIfMatch sends the etag quoted in If-Match and answers false on 412 and on 404', async () => {
    answers.push({ status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' });
    expect(await store().replaceIfMatch('lease.json', Buffer.from('v2'), 'abc123')).toBe(false);
    expect(seen[0]!.headers['if-match']).toBe('"abc123"');
    answers.push({ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' });
    expect(await store().replaceIfMatch('lease.json', Buffer.from('v2'), 'abc123')).toBe(false);
    answers.push({ status: 200, headers: { etag: '"def"' } });
    expect(await store().replaceIfMatch('lease.json', Buffer.from('v2'), 'abc123')).toBe(true);
  });

  it('names the permission a denied operation needs', async () => {
    answers.push({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
    expect((await failure(() => store().assertReadable())).message).toBe(
      'access to s3://lake/runs/ was denied; the credentials in use need permission for s3:ListBucket',
    );
    answers.push({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
    expect((await failure(() => store().createIfAbsent('claim.json', Buffer.from('{}')))).message).toBe(
      'access to s3://lake/runs/claim.json was denied; the credentials in use need permission for s3:PutObject',
    );
    answers.push({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
    expect((await failure(() => store().delete('claim.json'))).message).toBe(
      'access to s3://lake/runs/claim.json was denied; the credentials in use need permission for s3:DeleteObject',
    );
  });

  it('reports a signature S3 rejects without echoing the key id it names', async () => {
    answers.push({ status: 403, code: 'SignatureDoesNotMatch', message: `The request signature we calculated does not match (key ${SECRET_KEY_ID})` });
    const err = await failure(() => store().readAll('a.json'));
    expect(err.message).toBe(
      `S3 at ${host} rejected the request signature for s3://lake/runs/a.json; check that AWS_SECRET_ACCESS_KEY belongs to the access key id in use`,
    );
  });

  it('passes on any other S3 error with its code, scrubbed of the key id S3 may echo', async () => {
    answers.push({ status: 400, code: 'InvalidRequest', message: `Request for key ${SECRET_KEY_ID} is not valid.` });
    const err = await failure(() => store().readAll('x.json'));
    expect(err).toBeInstanceOf(StorageLocationError);
    expect(err.message).toBe(`S3 at ${host} answered InvalidRequest (HTTP 400) for s3://lake/runs/x.json: Request for key [redacted] is not valid`);
  });

  it('asks for no checksums when an endpoint override is set (S3 look-alikes do not speak them)', async () => {
    await store().write('part.bin', Buffer.from('x'));
    answers.push({ status: 200, headers: { etag: '"e"' } });
    await store().readAll('part.bin');
    const checksumHeaders = seen.flatMap((r) => Object.keys(r.headers).filter((name) => name.includes('checksum')));
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'GET']);
    expect(checksumHeaders).toEqual([]);
  });

  it('retries a throttled request (503 SlowDown) with the standard strategy', async () => {
    answers.push({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    await store().write('part.bin', Buffer.from('x'));
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });
});

describe('S3 client settings from the environment', () => {
  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, else us-east-1', () => {
    expect(s3ClientSettings({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-west-1');
    expect(s3ClientSettings({ AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-central-1');
    expect(s3ClientSettings({}).region).toBe('us-east-1');
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, unless endpoints are to be ignored', () => {
    expect(s3ClientSettings({ AWS_ENDPOINT_URL_S3: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' }).endpoint).toBe('http://a:1');
    expect(s3ClientSettings({ AWS_ENDPOINT_URL: 'http://b:2' }).endpoint).toBe('http://b:2');
    expect(s3ClientSettings({}).endpoint).toBeUndefined();
    expect(s3ClientSettings({ AWS_ENDPOINT_URL: 'http://b:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).endpoint).toBeUndefined();
  });

  it('names the AWS host, or the override host, for messages', () => {
    expect(s3EndpointHost({ region: 'eu-west-1', endpoint: undefined })).toBe('s3.eu-west-1.amazonaws.com');
    expect(s3EndpointHost({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4568' })).toBe('127.0.0.1:4568');
  });
});
