/**
 * The cloud worker's handler on SQS events (Lambda's service mocked: the handler is called with
 * the event JSON Lambda would pass), against local folders: every task staged, exactly one close,
 * the same rows as a local run, a duplicate delivery adding nothing and a bad record failing alone.
 * Then the messages it must not trust (a store or object named in the message, a task the plan
 * does not list, a folder in Lambda), and a closer that dies holding the close.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { loadLakeFormat } from '../../src/formats/lake-formats.js';
import { readLakeRun, writeLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { closeClaimKey } from '../../src/pipeline/lake-layout.js';
import type { RunManifest } from '../../src/pipeline/run-manifest.js';
import { TaskProcessor } from '../../src/pipeline/task-processor.js';
import type { Deployment } from '../../src/runtime/lambda/deployment.js';
import { closeHour } from '../../src/runtime/lambda/hour-close.js';
import { createHandler, handler as lambdaEntryPoint, type HandlerOptions } from '../../src/runtime/lambda/lambda-handler.js';
import { LakeObjectStaging } from '../../src/storage/lake-object-staging.js';
import { taskMessageBody } from '../../src/runtime/lambda/task-message.js';
import { readHourManifest } from '../../src/storage/hour-manifest.js';
import type { LakeStorage } from '../../src/storage/lake-storage.js';
import { openLakeStorage } from '../../src/storage/lake-storage-registry.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { differentRows, flatSample, query, SAMPLE_HOUR, tempDir, writeObject } from '../helpers/fixtures.js';
import { cloudRunOf, localDeployment, planLocalHour, recordQueuedRun, taskMessages } from '../helpers/cloud-runs.js';
import { runHourInProcess } from '../helpers/in-process.js';
import { writeSmallHour } from '../helpers/processes.js';
import { RecordingSqsClient } from '../helpers/recording-sqs-client.js';
import { lambdaContext, sqsEvent } from '../helpers/sqs-events.js';

const hour = parseHour(SAMPLE_HOUR) as Hour;

interface Logged {
  readonly lines: Record<string, unknown>[];
  readonly text: () => string;
}

/** The handler as the function runs it, configured with `deployment`, its log lines kept. */
function handlerFor(deployment: Deployment, options: Omit<HandlerOptions, 'deployment'> = {}): { handler: ReturnType<typeof createHandler>; log: Logged } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { handler: createHandler(log, { deployment: () => Promise.resolve(deployment), ...options }), log: { lines, text: () => JSON.stringify(lines) } };
}

async function plannedRun(source: string, lake: string, taskBytes = 256 * 1024): Promise<{ manifest: RunManifest; bodies: string[] }> {
  const manifest = await planLocalHour(source, hour, taskBytes);
  await recordQueuedRun(new LocalObjectStore(lake), manifest);
  return { manifest, bodies: taskMessages(manifest).map((m) => JSON.stringify(m)) };
}

/** Every file under `dir` with its size: what a refused message must leave exactly as it was. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { recursive: true })).map(String).sort();
  return Promise.all(entries.map(async (e) => `${e} ${(await stat(join(dir, e))).size}`));
}

/** Whether any file under `dir` holds `needle`. */
async function anyFileHolds(dir: string, needle: string): Promise<boolean> {
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, String(entry));
    if ((await stat(path)).isFile() && (await readFile(path)).includes(needle)) return true;
  }
  return false;
}

const failures = (response: unknown): unknown[] => (response as { batchItemFailures: unknown[] }).batchItemFailures;


/**
 * What the process's environment really holds (a Lambda's holds the role's session credentials):
 * /proc/self/environ is the kernel's copy from the start, so its PATH entry is in any leak.
 */
const environValue = async (): Promise<string> => ((await readFile('/proc/self/environ', 'latin1')).split('\0').find((e) => e.startsWith('PATH=')) as string).slice(5);

/**
 * Puts a forged plan in the run's record in the lake, sends task t00000 of it, and checks the
 * worker refused it with the lake unchanged and the environment written nowhere.
 */
async function refusedAfterForging(lake: string, manifest: RunManifest, forged: RunManifest, handler: ReturnType<typeof createHandler>): Promise<void> {
  const record = await readLakeRun(new LocalObjectStore(lake), hour.label, manifest.runId);
  await writeLakeRun(new LocalObjectStore(lake), { ...record!, manifest: forged });
  const before = await snapshot(lake);
  const response = await handler(sqsEvent([taskMessageBody(manifest.runId, 't00000')]), lambdaContext());
  expect(failures(response)).toHaveLength(1);
  expect(await snapshot(lake)).toEqual(before);
  expect(await anyFileHolds(lake, await environValue())).toBe(false);
}

describe('the Lambda handler on SQS events, local folders (Lambda service mocked)', () => {
  it('processes every task, closes the hour once, and matches a local run row for row', async () => {
    const source = await flatSample();
    const lake = await tempDir();
    const { manifest, bodies } = await plannedRun(source, lake);
    const { handler, log } = handlerFor(localDeployment(source, lake));
    expect(manifest.tasks.length).toBeGreaterThan(4);
    expect(JSON.parse(bodies[0] as string)).toEqual({ version: 2, runId: manifest.runId, taskId: 't00000' });
    // Three invocations; the last task's message comes twice (an at-least-once redelivery), with a stray record.
    const first = await handler(sqsEvent([...bodies.slice(0, 2), 'not json']), lambdaContext());
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    await handler(sqsEvent(bodies.slice(2, -1)), lambdaContext());
    expect((await readLakeRun(new LocalObjectStore(lake), hour.label, manifest.runId))?.status).toBe('queued');
    const last = await handler(sqsEvent([bodies.at(-1) as string]), lambdaContext());
    expect(last).toEqual({ batchItemFailures: [] });
    expect(log.lines.at(-1)?.['close']).toBe(`hour ${hour.label} published by run ${manifest.runId} from its ${manifest.tasks.length} planned tasks`);
    const record = await readLakeRun(new LocalObjectStore(lake), hour.label, manifest.runId);
    expect(record?.status).toBe('success');
    expect(record?.summary?.events).toEqual({ vehicle: 35349, operating_period: 2 });
    // A late duplicate of a task after the close: acknowledged, nothing written.
    expect(await handler(sqsEvent([bodies[0] as string]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await readdir(lake)).not.toContain('_staging');
    expect(await readdir(join(lake, 'vehicle/date=2019-06-01/hour=15'))).toEqual(['part-00000.parquet']);

    const localLake = await tempDir();
    await runHourInProcess({ source, lake: localLake, state: await tempDir(), hour, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 128 * 1024 * 1024 });
    expect(await differentRows(lake, localLake, 'vehicle')).toBe(0);
    expect(await differentRows(lake, localLake, 'operating_period')).toBe(0);
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet')`);
    expect(Number(count?.['n'])).toBe(35349);
  });

  it('the close\'s summary is the run summary a local run gives, its quarantine file included', async () => {
    const source = await tempDir();
    await writeSmallHour(source, hour.label, 3, 20);
    await writeObject(source, `${hour.date}-${hour.hour}-0-9-events.json`, '{"not": "an event"}\n');
    const lake = await tempDir();
    const { manifest, bodies } = await plannedRun(source, lake);
    const { handler } = handlerFor(localDeployment(source, lake));
    await handler(sqsEvent(bodies), lambdaContext());
    const record = await readLakeRun(new LocalObjectStore(lake), hour.label, manifest.runId);
    const summary = record?.summary;
    expect(summary).toMatchObject({ objects: 4, events: { vehicle: 60 }, quarantined: 1, quarantinedShare: 1 / 61 });
    // The files the hour published, its quarantine's among them, as a local run lists them.
    expect(summary?.outputs.map((o) => o.entity).sort()).toEqual(['_quarantine', 'vehicle']);
    const local = await runHourInProcess({ source, lake: await tempDir(), state: await tempDir(), hour, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 128 * 1024 * 1024 });
    expect(local.outputs.map((o) => [o.entity, o.rows])).toEqual(summary?.outputs.map((o) => [o.entity, o.rows]));
  });

  it('a message for a run the lake has no record of fails alone, with a sentence', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeSmallHour(source, hour.label, 3, 5);
    const { bodies } = await plannedRun(source, lake, 1);
    const { handler, log } = handlerFor(localDeployment(source, lake));
    const response = await handler(sqsEvent([taskMessageBody('2019-06-01T15-unknown', 't00000'), bodies[0] as string]), lambdaContext());
    expect(failures(response)).toHaveLength(1);
    expect(log.text()).toContain(`run 2019-06-01T15-unknown has no record in the lake ${lake}`);
  });

  it('a batch whose every record fails answers each as a failure (each retried and logged), not one error naming none', async () => {
    const { handler } = handlerFor(localDeployment(await tempDir(), await tempDir()));
    const malformed = { ...sqsEvent(['not json']), Records: [...sqsEvent(['not json']).Records, {} as never] };
    const response = (await handler(malformed, lambdaContext())) as { batchItemFailures: unknown[] };
    expect(response.batchItemFailures).toHaveLength(2);
  });
});

describe('messages the worker does not trust (Lambda service mocked)', () => {
  /** A queued run of a small hour, its lake's files before any message, and a handler on its deployment. */
  async function queued(options: Omit<HandlerOptions, 'deployment'> = {}) {
    const source = await tempDir();
    const lake = await tempDir();
    await writeSmallHour(source, hour.label, 3, 5);
    const { manifest, bodies } = await plannedRun(source, lake, 1);
    return { source, lake, manifest, bodies, before: await snapshot(lake), ...handlerFor(localDeployment(source, lake), options) };
  }

  it('a message naming its own source (/proc/self) and object (environ) is refused: nothing written, the environment nowhere', async () => {
    const { lake, manifest, before, handler, log } = await queued();
    const environ = await environValue();
    expect(environ.length).toBeGreaterThan(4);
    const proc = { kind: 'local', root: '/proc/self' };
    const objects = [{ index: 0, key: 'environ', size: 500_000_000 }];
    const settings = { runId: manifest.runId, source: proc, format: 'parquet', codec: 'zstd', targetFileBytes: 1, maxLineBytes: 1_000_000 };
    // As a version 1 producer wrote messages (the whole task in the body), and the same fields beside version 2's ids.
    const oldShape = { version: 1, hour: hour.label, lake: { kind: 'local', root: lake }, settings, task: { id: 't00000', objects, bytes: 500_000_000 }, tasks: 3 };
    const extras = { version: 2, runId: manifest.runId, taskId: 't00000', source: proc, objects };
    const response = await handler(sqsEvent([JSON.stringify(oldShape), JSON.stringify(extras)]), lambdaContext());
    expect(failures(response)).toHaveLength(2);
    expect(await snapshot(lake)).toEqual(before);
    expect(await anyFileHolds(lake, environ)).toBe(false);
    expect(log.text()).not.toContain(environ);
    expect(log.text()).toContain('the message is an eventlake task message of version 1, which carries its own task, source and lake');
    expect(log.text()).toContain('the message is not an eventlake task: it may carry only version, runId and taskId, not source, objects');
  });

  it('a plan in the lake reading another source than the deployment\'s (/proc/self) is refused before anything is read or written', async () => {
    const { lake, manifest, handler, log } = await queued();
    const forged = { ...manifest, source: { kind: 'local' as const, root: '/proc/self' }, tasks: [{ id: 't00000', objects: [{ index: 0, key: 'environ', size: 500_000_000 }], bytes: 500_000_000 }] };
    await refusedAfterForging(lake, manifest, forged, handler);
    expect(log.text()).toContain(`run ${manifest.runId}'s plan reads the source /proc/self, not this deployment's`);
  });

  it('a plan in the lake naming an object outside the deployment\'s source folder (../) is refused; nothing is written', async () => {
    const { source, lake, manifest, handler, log } = await queued();
    const depth = source.split('/').length;
    const key = `${'../'.repeat(depth)}proc/self/environ`;
    const forged = { ...manifest, tasks: [{ id: 't00000', objects: [{ index: 0, key, size: 500_000_000 }], bytes: 500_000_000 }] };
    await refusedAfterForging(lake, manifest, forged, handler);
    expect(log.text()).toContain(`task t00000 of run ${manifest.runId} names the object \\"${key}\\", outside the source folder; nothing was written`);
  });

  it('a task id the plan does not list is refused, naming it; nothing is written', async () => {
    const { lake, manifest, before, handler, log } = await queued();
    expect(manifest.tasks.map((t) => t.id)).toEqual(['t00000', 't00001', 't00002']);
    const response = await handler(sqsEvent([taskMessageBody(manifest.runId, 't09999')]), lambdaContext());
    expect(failures(response)).toHaveLength(1);
    expect(await snapshot(lake)).toEqual(before);
    expect(log.text()).toContain(`task t09999 is not in run ${manifest.runId}'s plan (its tasks: t00000 to t00002); nothing was written`);
  });

  it('in Lambda, a folder as the deployment\'s lake or source is refused', async () => {
    const { lake, manifest, before, handler, log } = await queued({ env: { AWS_LAMBDA_FUNCTION_NAME: 'eventlake-worker' } });
    const response = await handler(sqsEvent([taskMessageBody(manifest.runId, 't00000')]), lambdaContext());
    expect(failures(response)).toHaveLength(1);
    expect(await snapshot(lake)).toEqual(before);
    expect(log.text()).toContain('in Lambda the source must be a bucket (set EVENTLAKE_SOURCE_PATH to s3://bucket/)');
  });

  it('Lambda\'s entry point refuses folders from its environment even without AWS_LAMBDA_FUNCTION_NAME', async () => {
    const { source, lake, manifest, before } = await queued();
    const saved = { EVENTLAKE_SOURCE_PATH: process.env['EVENTLAKE_SOURCE_PATH'], EVENTLAKE_LAKE_PATH: process.env['EVENTLAKE_LAKE_PATH'] };
    Object.assign(process.env, { EVENTLAKE_SOURCE_PATH: source, EVENTLAKE_LAKE_PATH: lake });
    delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    try {
      const response = await lambdaEntryPoint(sqsEvent([taskMessageBody(manifest.runId, 't00000')]), lambdaContext());
      expect(failures(response)).toHaveLength(1);
      expect(await snapshot(lake)).toEqual(before);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('another invocation holding the close, and SQS delivering the last message again (SQS and Lambda mocked)', () => {
  /**
   * A run whose every task is staged, the last by an invocation now closing the hour (its claim
   * made at `clock`), which waits at its lease until `proceed` is called: never, for one that died.
   */
  async function closing(clock: () => number) {
    const source = await tempDir();
    const lake = await tempDir();
    await writeSmallHour(source, hour.label, 3, 5);
    const { manifest, bodies } = await plannedRun(source, lake, 1);
    const lakeStore = new LocalObjectStore(lake);
    const first = handlerFor(localDeployment(source, lake));
    expect(failures(await first.handler(sqsEvent(bodies.slice(0, -1)), lambdaContext()))).toEqual([]);
    const scratch = await tempDir();
    const processor = new TaskProcessor(manifest, scratch, { store: new LocalObjectStore(source), registry: defaultRegistry(), format: await loadLakeFormat('parquet') });
    await new LakeObjectStaging(lakeStore).keep(manifest.runId, scratch, await processor.process(manifest.tasks.at(-1)!, () => undefined));
    const real = await openLakeStorage({ kind: 'local', root: lake });
    let atLease: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => (atLease = resolve));
    let proceed: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const held = { ...real, publisher: real.publisher, lease: { acquire: async (key: string, runId: string) => (atLease(), await gate, real.lease.acquire(key, runId)) } } as unknown as LakeStorage;
    const record = (await readLakeRun(lakeStore, hour.label, manifest.runId))!;
    const closed = closeHour(cloudRunOf(lakeStore, record), { lakeStore, lake: held, registry: defaultRegistry(), scratchDir: join(scratch, 'close'), closer: 'crashed', claimMs: 660_000, now: clock });
    await claimed;
    expect(await lakeStore.readVersion(closeClaimKey(manifest.runId))).toBeDefined();
    return { source, lake, lakeStore, manifest, bodies, proceed, closed };
  }

  it('a duplicate waiting while the closer finishes is acknowledged once the hour is published', async () => {
    let clock = Date.parse('2026-12-05T13:00:00Z');
    const { source, lake, lakeStore, manifest, bodies, proceed, closed } = await closing(() => clock);
    const slept: number[] = [];
    // The closer finishes during the duplicate's first wait.
    const sleep = async (ms: number): Promise<void> => {
      slept.push(ms);
      proceed();
      await closed;
      clock += ms;
    };
    const { handler, log } = handlerFor(localDeployment(source, lake), { now: () => clock, sleep });
    expect(failures(await handler(sqsEvent([bodies.at(-1) as string]), lambdaContext()))).toEqual([]);
    expect(slept).toEqual([5_000]);
    expect(log.lines.at(-1)?.['close']).toBe(`run ${manifest.runId} was closed by another invocation (success)`);
    expect(await closed).toMatchObject({ closed: true, summary: { events: { vehicle: 15 } } });
    expect((await readLakeRun(lakeStore, hour.label, manifest.runId))?.status).toBe('success');
  });

  it('a closer that dies holding the close: the duplicate is not acknowledged while the claim stands; the redelivery after it expires publishes the hour', async () => {
    let clock = Date.parse('2026-12-05T13:00:00Z');
    // Its lease never taken, nothing after the claim: as a Lambda killed at its timeout.
    const { source, lake, lakeStore, manifest, bodies } = await closing(() => clock);
    const sqs = new RecordingSqsClient();
    const { handler, log } = handlerFor(localDeployment(source, lake), { now: () => clock, sleep: async (ms) => void (clock += ms), visibility: sqs });

    // A duplicate of the last message while the dead closer's claim stands: it waits two minutes, then fails, so SQS keeps it.
    clock += 60_000;
    expect(failures(await handler(sqsEvent([bodies.at(-1) as string]), lambdaContext()))).toHaveLength(1);
    // For the queue's own visibility timeout (past any claim), not the short backoff of other failures (mocked SQS).
    expect(sqs.commands).toEqual([]);
    expect(clock).toBe(Date.parse('2026-12-05T13:03:00Z'));
    expect(log.text()).toContain(`run ${manifest.runId} is not closed yet: crashed@`);
    expect(log.text()).toContain('this message fails so SQS delivers it again, and that delivery finds the hour published or takes the close over');
    expect((await readLakeRun(lakeStore, hour.label, manifest.runId))?.status).toBe('queued');
    expect(await readHourManifest(lakeStore, hour.label)).toBeUndefined();

    // SQS delivers it again after the visibility timeout (six times the function's timeout): the claim has expired.
    clock += 6 * 600_000;
    expect(failures(await handler(sqsEvent([bodies.at(-1) as string]), lambdaContext()))).toEqual([]);
    const closed = await readLakeRun(lakeStore, hour.label, manifest.runId);
    expect(closed).toMatchObject({ status: 'success', summary: { events: { vehicle: 15 } } });
    expect(log.lines.at(-1)?.['close']).toMatch(new RegExp(`^hour ${hour.label} published by run ${manifest.runId} from its 3 planned tasks, taking over the close crashed@\\S+ claimed at 2026-12-05T13:00:00.000Z \\(expired at 2026-12-05T13:11:00.000Z\\)$`));
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet')`);
    expect(Number(count?.['n'])).toBe(15);
    expect(await readdir(lake)).not.toContain('_staging');
  });
});
