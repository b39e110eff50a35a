/**
 * The cloud path end to end on a real S3 API (s3rver on loopback): `eventlake fanout` lists the
 * hour in the source bucket and sends its tasks to a mock of SQS (no SQS server can run here);
 * the bundled Lambda handler, imported from exactly the file the container image's CMD names,
 * gets those messages (ids only) as SQS events (Lambda's service mocked), reads each task from the
 * run's plan in the lake its environment configures, and writes the tasks' outputs and, on the
 * last one, the hour's close. The lake ends up with the rows a local run writes.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLakeStorage } from '../../src/storage/lake-storage-registry.js';
import { readLakeRun, writeLakeRun, type LakeRunRecord } from '../../src/orchestration/lake/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import type { EventlakeHandler } from '../../src/runtime/lambda/lambda-handler.js';
import { parseTaskMessage } from '../../src/runtime/lambda/task-message.js';
import { differentRows, flatSample, query, runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { runHourInProcess } from '../helpers/in-process.js';
import { MockedSqsServer } from '../helpers/mocked-sqs-server.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { lambdaContext, sqsEvent } from '../helpers/sqs-events.js';

/** The file the image's `CMD ["index.handler"]` loads: /var/task/index.mjs there, built by `npm run build`. */
const BUNDLED_HANDLER = resolve('infra/lambda-image/build/index.mjs');
const hour = parseHour(SAMPLE_HOUR) as Hour;

let s3: S3Server;
let restoreEnv: () => void;
const sqs = new MockedSqsServer();
let source: string;

beforeAll(async () => {
  s3 = await startS3Server(['events', 'lake']);
  source = await flatSample();
  await s3.uploadFolder('events', '', source);
  await sqs.start();
  restoreEnv = s3.applyEnv();
}, 120_000);
afterAll(async () => {
  restoreEnv?.();
  await sqs.stop();
  await s3?.close();
});

describe('fan-out → Lambda handler → hour close on a real S3 API (SQS and Lambda mocked)', () => {
  it('gives the rows of a local run, closes once, and shrugs off a duplicate delivery', async () => {
    const queueUrl = `${sqs.url}/123456789012/eventlake-tasks`;
    const env = { ...s3.env, AWS_ENDPOINT_URL_SQS: sqs.url, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    const fanout = await runCli(['fanout', '--hour', SAMPLE_HOUR, '--queue-url', queueUrl, '--source', 's3://events/', '--lake', 's3://lake/', '--layout', 'flat', '--target-file-mb', '1', '--json'], undefined, env);
    expect(fanout.stderr).toBe('');
    expect(fanout.code).toBe(0);
    const report = JSON.parse(fanout.stdout) as { runId: string; objects: number; tasks: number; messages: number };
    expect(report.objects).toBe(721);
    const bodies = sqs.bodies();
    expect(bodies).toHaveLength(report.tasks);
    expect(bodies.map((b) => parseTaskMessage(b))).toEqual(bodies.map((_, i) => ({ version: 2, runId: report.runId, taskId: `t${String(i).padStart(5, '0')}` })));
    const lakeStore = new S3ObjectStore('lake', '');
    const planned = await readLakeRun(lakeStore, hour.label, report.runId);
    expect(planned?.manifest.tasks.flatMap((t) => t.objects.map((o) => o.index))).toEqual([...Array(721).keys()]);

    // The function's environment, as the stack sets it: in Lambda, buckets only.
    const deployment = { EVENTLAKE_SOURCE_PATH: 's3://events/', EVENTLAKE_LAKE_PATH: 's3://lake/', AWS_LAMBDA_FUNCTION_NAME: 'eventlake-worker' };
    const saved = Object.fromEntries(Object.keys(deployment).map((k) => [k, process.env[k]]));
    Object.assign(process.env, deployment);
    const { handler } = (await import(pathToFileURL(BUNDLED_HANDLER).href)) as { handler: EventlakeHandler };
    // All but the last task in one invocation; the last through `eventlake lambda invoke` (a real
    // process, as a person debugging would); then a late duplicate of the first.
    const first = (await handler(sqsEvent(bodies.slice(0, -1)), lambdaContext())) as SQSBatchResponse;
    expect(first.batchItemFailures).toEqual([]);
    const eventFile = join(await tempDir(), 'event.json');
    await writeFile(eventFile, JSON.stringify(sqsEvent(bodies.slice(-1))));
    const state = await tempDir();
    const invoked = await runCli(['lambda', 'invoke', '--event', eventFile, '--source', 's3://events/', '--lake', 's3://lake/', '--json', '--state', state], undefined, env);
    expect(invoked.stderr).toBe('');
    expect(JSON.parse(invoked.stdout)).toEqual({ batchItemFailures: [] });
    const duplicate = (await handler(sqsEvent(bodies.slice(0, 1)), lambdaContext())) as SQSBatchResponse;
    expect(duplicate.batchItemFailures).toEqual([]);

    // A close that published but died before recording it: the next delivery of any task records it.
    const closed = await readLakeRun(lakeStore, hour.label, report.runId);
    await writeLakeRun(lakeStore, { ...(closed as LakeRunRecord), status: 'queued' });
    expect(((await handler(sqsEvent(bodies.slice(1, 2)), lambdaContext())) as SQSBatchResponse).batchItemFailures).toEqual([]);
    expect(await readLakeRun(lakeStore, hour.label, report.runId)).toMatchObject({ status: 'success', summary: { events: { vehicle: 35349, operating_period: 2 } } });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }

    const status = await runCli(['status', '--lake', 's3://lake/', '--state', state, '--json'], undefined, env);
    expect(status.code).toBe(0);
    const [run] = (JSON.parse(status.stdout) as { lakeRuns: { runId: string; status: string; tasks: number; tasksDone: number; events: Record<string, number> }[] }).lakeRuns;
    expect(run).toMatchObject({ runId: report.runId, status: 'success', tasks: report.tasks, tasksDone: report.tasks, events: { vehicle: 35349, operating_period: 2 } });

    const localLake = await tempDir();
    await runHourInProcess({ source, lake: localLake, state: await tempDir(), hour, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 1024 * 1024 });
    // The folder the warehouse reads: the S3 lake adapter's mirror of the published hour.
    const mirror = await (await openLakeStorage({ kind: 's3', bucket: 'lake', prefix: '' })).readableFolder(await tempDir());
    expect(await differentRows(mirror, localLake, 'vehicle')).toBe(0);
    expect(await differentRows(mirror, localLake, 'operating_period')).toBe(0);
    const [count] = await query(`SELECT count(*) AS n, count(DISTINCT (source_object, source_line)) AS lines FROM read_parquet('${mirror}/vehicle/*/*/*.parquet')`);
    expect(count).toEqual({ n: '35349', lines: '35349' });
    const requests = await s3.takeRequests();
    expect(requests.filter((r) => r.startsWith('PUT /lake/_manifests/'))).toHaveLength(1);
  });
});
