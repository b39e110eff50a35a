/**
 * The deployed function end to end, and what its fan-out lists: the bundled handler, run with exactly the environment the
 * stack gives the worker (each layout the SourceLayout parameter allows), fans out an hour of a
 * source bucket on a real S3 API (s3rver on loopback) to a mock of SQS (no SQS can run here).
 * Its list calls name only the hour's prefix, so they stay the same as the bucket fills with
 * other hours; a layout of `any` would list the whole bucket, one more call per 1,000 objects.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../infra/bundle-handler.js';
import { EventlakeStack } from '../../infra/eventlake-stack.js';
import { REPO_ROOT } from '../../infra/repo-root.js';
import type { EventlakeHandler } from '../../src/runtime/lambda/lambda-handler.js';
import { MockedSqsServer } from '../helpers/mocked-sqs-server.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { lambdaContext, sqsEvent } from '../helpers/sqs-events.js';
import { LakeRunStore } from '../../src/orchestration/lake/lake-run-store.js';
import { readHourManifest } from '../../src/storage/hour-manifest.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import { deployedResources } from './cfn-evaluate.js';

const OBJECTS_PER_HOUR = 40;
const made: string[] = [];
let s3: S3Server;
const sqs = new MockedSqsServer();
let handler: EventlakeHandler;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eventlake-listing-'));
  made.push(dir);
  return dir;
}

/** `count` one-line objects of `hour` (YYYY-MM-DDTHH), named as the layout puts them. */
async function writeHour(dir: string, hour: string, layout: 'flat' | 'nested', count = OBJECTS_PER_HOUR): Promise<void> {
  const [date, hh] = hour.split('T') as [string, string];
  for (let i = 0; i < count; i += 1) {
    // Producers write the hour padded or not; flat lists both prefixes.
    const name = `${date}-${i % 2 === 0 ? hh : String(Number(hh))}-${Math.floor(i / 60)}-${i % 60}-events.json`;
    const file = layout === 'flat' ? join(dir, name) : join(dir, ...date.split('-'), hh, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"event":"update","on":"vehicle","at":"2019-06-01T05:00:00Z","data":{"id":"v1"}}\n');
  }
}

/** The value of every `{ Ref: id }` given, put in place: the names the buckets and queue have on this S3. */
function substitute(node: unknown, refs: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => substitute(n, refs));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { Ref?: string }).Ref;
  if (ref !== undefined && ref in refs) return refs[ref];
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, refs)]));
}

let template: Record<string, unknown> | undefined;

/** The worker's environment as CloudFormation would deploy it with these parameter values. */
function stackEnvironment(parameters: Record<string, string>, queueUrl: string): Record<string, string> {
  template ??= Template.fromStack(new EventlakeStack(new App({ analyticsReporting: false }), 'EventlakeStack')).toJSON();
  const json = template;
  const id = (type: string, prefix: string): string => Object.entries(json['Resources'] as Record<string, { Type: string }>).find(([k, r]) => r.Type === type && k.startsWith(prefix))![0];
  const refs = {
    [id('AWS::S3::Bucket', 'SourceBucket')]: 'events',
    [id('AWS::S3::Bucket', 'LakeBucket')]: 'lake',
    [id('AWS::SQS::Queue', 'TaskQueuesTasks')]: queueUrl,
    [id('AWS::SecretsManager::Secret', 'Snowflake')]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:eventlake-snowflake',
  };
  const resources = deployedResources(substitute(json, refs) as Record<string, unknown>, parameters);
  const fn = Object.values(resources).find((r) => r.type === 'AWS::Lambda::Function')!;
  const variables = (fn.properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
  for (const [name, value] of Object.entries(variables)) if (typeof value !== 'string') throw new Error(`${name} is ${JSON.stringify(value)}, not a value`);
  return variables as Record<string, string>;
}

/** The ListObjectsV2 calls on the source bucket since the last look, as their prefixes. */
async function sourceListings(): Promise<string[]> {
  return (await s3.takeRequests())
    .filter((r) => r.startsWith('GET /events/?') && r.includes('list-type=2'))
    .map((r) => {
      const query = new URLSearchParams(r.slice(r.indexOf('?') + 1).split(' ')[0]);
      return `${query.get('prefix') ?? ''}${query.get('max-keys') === '1' ? ' (probe, 1 key)' : ''}`;
    });
}

beforeAll(async () => {
  s3 = await startS3Server(['events', 'lake']);
  await sqs.start();
  const source = await tempDir();
  for (const hour of ['2019-06-01T05', '2019-06-01T07']) await writeHour(source, hour, 'flat');
  for (const hour of ['2019-06-01T15', '2019-06-01T17']) await writeHour(source, hour, 'nested');
  await s3.uploadFolder('events', '', source);
  // The handler as the image runs it: bundled, native packages resolved from node_modules.
  const out = await tempDir();
  await symlink(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'));
  const { file } = await bundleHandler({ outDir: out });
  ({ handler } = (await import(pathToFileURL(file).href)) as { handler: EventlakeHandler });
}, 180_000);
afterAll(async () => {
  await sqs.stop();
  await s3?.close();
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the deployed fan-out lists only its hour (bundled handler, stack environment, s3rver; SQS mocked)', () => {
  /**
   * Runs `call` in the worker's environment as the stack deploys it; only where requests go is
   * changed (s3rver, the SQS mock, and Secrets Manager on a closed loopback port: nothing leaves
   * this machine).
   */
  async function inStackEnvironment<T>(parameters: Record<string, string>, override: Record<string, string>, call: () => Promise<T>): Promise<T> {
    const queueUrl = `${sqs.url}/123456789012/eventlake-tasks`;
    const env = {
      ...stackEnvironment(parameters, queueUrl),
      ...s3.env,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9',
      AWS_LAMBDA_FUNCTION_NAME: 'eventlake-worker',
      ...override,
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await call();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }

  async function fanOut(hour: string, parameters: Record<string, string>, override: Record<string, string> = {}): Promise<{ objects: number; listings: string[] }> {
    return inStackEnvironment(parameters, override, async () => {
      await s3.takeRequests();
      const report = (await handler({ eventlake: 'fanout', hour }, lambdaContext())) as { objects: number };
      return { objects: report.objects, listings: await sourceListings() };
    });
  }

  it('fans out, processes and closes an hour with nothing but the stack\'s environment', async () => {
    const source = await tempDir();
    await writeHour(source, '2019-06-03T01', 'flat', 12);
    await s3.uploadFolder('events', '', source);
    const sent = sqs.bodies().length;
    const report = await inStackEnvironment({}, {}, () => handler({ eventlake: 'fanout', hour: '2019-06-03T01' }, lambdaContext()));
    expect(report).toMatchObject({ hour: '2019-06-03T01', objects: 12 });
    const { runId } = report as { runId: string };
    const bodies = sqs.bodies().slice(sent);
    expect(bodies.length).toBeGreaterThan(0);
    // Lambda's SQS poller delivers the task messages; the last task's invocation closes the hour.
    const answer = await inStackEnvironment({}, {}, () => handler(sqsEvent(bodies), lambdaContext()));
    expect(answer).toEqual({ batchItemFailures: [] });
    const lake = new S3ObjectStore('lake', '');
    const [run, published] = await inStackEnvironment({}, {}, async () => [await new LakeRunStore(lake).get(runId), await readHourManifest(lake, '2019-06-03T01')] as const);
    expect(run).toMatchObject({ status: 'success', hour: '2019-06-03T01', trigger: 'schedule' });
    const summary = run?.summary;
    // Every line read ends as a row or a quarantine record.
    expect(Object.values(summary?.events ?? {}).reduce((n, c) => n + c, 0) + (summary?.quarantined ?? 0)).toBe(12);
    expect(published?.runId).toBe(runId);
  }, 120_000);

  it('lists the hour\'s prefixes only, in both layouts, the same calls whether the bucket holds 4 hours or 34', async () => {
    const flatBefore = await fanOut('2019-06-01T05', {});
    const nestedBefore = await fanOut('2019-06-01T15', { SourceLayout: 'nested' });

    // The bucket fills up: 30 more hours, 1,200 more objects, half of each layout.
    const more = await tempDir();
    for (let h = 0; h < 15; h += 1) {
      await writeHour(more, `2019-06-02T${String(h).padStart(2, '0')}`, 'flat');
      await writeHour(more, `2019-06-02T${String(h + 8).padStart(2, '0')}`, 'nested');
    }
    expect(await s3.uploadFolder('events', '', more)).toBe(1200);

    const flatAfter = await fanOut('2019-06-01T07', {});
    const nestedAfter = await fanOut('2019-06-01T17', { SourceLayout: 'nested' });

    for (const run of [flatBefore, nestedBefore, flatAfter, nestedAfter]) expect(run.objects).toBe(OBJECTS_PER_HOUR);
    expect(flatBefore.listings).toEqual([' (probe, 1 key)', '2019-06-01-05-', '2019-06-01-5-']);
    expect(flatAfter.listings).toEqual([' (probe, 1 key)', '2019-06-01-07-', '2019-06-01-7-']);
    expect(nestedBefore.listings).toEqual([' (probe, 1 key)', '2019/06/01/15/']);
    expect(nestedAfter.listings).toEqual([' (probe, 1 key)', '2019/06/01/17/']);

    // What the stack no longer deploys: `any` finds the hour at any depth only by listing all
    // 1,360 objects in pages of at most 1,000 keys (s3rver answers in three), one more page
    // for every 1,000 the bucket gains.
    const anywhere = await fanOut('2019-06-02T03', {}, { EVENTLAKE_SOURCE_LAYOUT: 'any' });
    expect(anywhere.objects).toBe(OBJECTS_PER_HOUR);
    expect(anywhere.listings[0]).toBe(' (probe, 1 key)');
    expect(anywhere.listings.slice(1).every((prefix) => prefix === '')).toBe(true);
    expect(anywhere.listings.length - 1).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
