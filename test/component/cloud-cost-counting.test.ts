/**
 * The cloud-cost bench's counting (bench/cloud-cost-*.ts), checked against what the test itself
 * knows: requests it makes to s3rver, counted by kind; and a tiny hour through the bundled handler
 * (SQS and Lambda mocked), whose messages, invocations and source reads follow from its input.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureCloudHour } from '../../bench/cloud-cost-hour.js';
import { costOf, PRICES } from '../../bench/cloud-cost-prices.js';
import { emptyTally, tallyRequests } from '../../bench/cloud-cost-requests.js';
import { startS3Server } from '../helpers/s3-server-client.js';
import { readHourInput, seedUsage } from '../../bench/cloud-cost-seed.js';
import { generateHour } from '../../src/generate/synthetic-feed.js';
import { tempDir } from '../helpers/fixtures.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

describe('the cloud-cost bench counts', () => {
  it('S3 requests by kind, exactly those the test made', async () => {
    const s3 = await startS3Server(['b']);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      for (const key of ['a/1', 'a/2', 'a/3']) await client.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: key }));
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'a/', MaxKeys: 1, ContinuationToken: token }));
        pages += 1;
        token = page.NextContinuationToken;
      } while (token !== undefined);
      for (const key of ['a/1', 'a/2']) await (await client.send(new GetObjectCommand({ Bucket: 'b', Key: key }))).Body?.transformToString();
      await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'a/3' }));
      await client.send(new DeleteObjectCommand({ Bucket: 'b', Key: 'a/3' }));
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: 'big' }));
      const parts = [];
      for (const PartNumber of [1, 2]) {
        const { ETag } = await client.send(new UploadPartCommand({ Bucket: 'b', Key: 'big', UploadId, PartNumber, Body: Buffer.alloc(PartNumber === 1 ? 5 * 1024 * 1024 : 10) }));
        parts.push({ ETag, PartNumber });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: 'b', Key: 'big', UploadId, MultipartUpload: { Parts: parts } }));

      const lines = await s3.takeRequests();
      expect(pages).toBe(3);
      expect(tallyRequests(lines)).toEqual({ ...emptyTally(), PUT: 3, LIST: 3, GET: 2, HEAD: 1, DELETE: 1, MULTIPART: 4 });
      expect(tallyRequests(lines, 'other')).toEqual(emptyTally());
      expect(await s3.takeRequests()).toEqual([]);
    } finally {
      client.destroy();
      await s3.close();
    }
  }, 60_000);

  it('a tiny hour through the bundled handler: messages, invocations and source reads from its input (SQS and Lambda mocked)', async () => {
    const source = await tempDir();
    const hour = '2019-06-01T00';
    const generated = await generateHour({ out: source, hour: new Date(Date.UTC(2019, 5, 1, 0)), vehicles: 60, seconds: 900, seed: 1, gzip: false });
    const input = await readHourInput(source);
    expect(input.files).toBe(generated.files);

    const measured = await measureCloudHour({ source, hour, memoryMb: 2048, batchSize: 1 });
    expect(measured.status).toBe('success');
    expect(measured.uploaded).toBe(generated.files);
    expect(measured.fanOut.objects).toBe(generated.files);
    expect(measured.fanOut.tasks).toBeGreaterThanOrEqual(2);
    // One message per task, sent in batches of ten; one invocation per message, and the fan-out's.
    expect(measured.sqsMessages).toBe(measured.fanOut.tasks);
    expect(measured.sqsSendCalls).toBe(Math.ceil(measured.fanOut.tasks / 10));
    expect(measured.taskInvocations).toBe(measured.fanOut.tasks);
    expect(measured.invocations).toBe(measured.fanOut.tasks + 1);
    // Each source object read once, nothing written there; listed (how many prefixes is the fan-out's business).
    expect(measured.s3Source).toEqual({ ...emptyTally(), LIST: measured.s3Source.LIST, GET: generated.files });
    expect(measured.s3Source.LIST).toBeGreaterThan(0);
    const kinds = Object.values(measured.s3).reduce((a, b) => a + b, 0);
    expect(kinds).toBe(measured.s3Lines);
    expect(measured.s3Lake.PUT).toBeGreaterThan(0);
    expect(measured.gbSeconds).toBeCloseTo(measured.billedSeconds * 2, 9);

    // The seed's design for the same input: one message, invocation and GET per file, one PUT per entity present.
    const seed = seedUsage(input, measured.gbSeconds);
    expect(seed).toMatchObject({ invocations: generated.files, sqsMessages: generated.files, sqsRequests: 3 * generated.files, s3: { GET: generated.files } });
    let entityObjects = 0;
    for (const name of await readdir(source)) {
      const lines = (await readFile(join(source, name), 'utf8')).split('\n').filter((l) => l.trim() !== '');
      entityObjects += new Set(lines.map((l) => (JSON.parse(l) as { on: string }).on)).size;
    }
    expect(entityObjects).toBeGreaterThan(0);
    expect(seed.s3.PUT).toBe(entityObjects);
    expect(costOf(seed).perHour).toBeCloseTo(
      seed.s3.PUT * PRICES.s3PutListPerRequest + seed.s3.GET * PRICES.s3GetPerRequest + seed.sqsRequests * PRICES.sqsPerRequest + seed.invocations * PRICES.lambdaPerInvocation + seed.gbSeconds * PRICES.lambdaPerGbSecond,
      12,
    );
  }, 180_000);
});

describe('the cloud-cost bench\'s flags', () => {
  const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolveRun) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/bench/cloud-cost.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (code) => resolveRun({ code, stderr }));
    });

  it('a misspelt or bad flag stops it, naming the flag, before it generates or runs anything', async () => {
    const dir = join(await tempDir(), 'bench');
    const misspelt = await run(['--vehicle', '5', '--dir', dir]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/^bench:cloud: Unknown option '--vehicle'/);
    const bad = await run(['--vehicles', '0', '--dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^bench:cloud: --vehicles must be a whole number from 1 \(got "0"\)/);
    expect(existsSync(dir)).toBe(false);
  });
});
