/**
 * The fan-out of an hour: real source and lake folders, a real listing and plan, and a mocked
 * sender standing for SQS (no queue is reachable here) that records what it was sent.
 */
import { readdir } from 'node:fs/promises';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { fanOutToQueue } from '../../src/app/fan-out-hour.js';
import { listLakeRuns, readLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import type { RunRequest } from '../../src/orchestration/run-store.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { MAX_LINE_BYTES } from '../../src/pipeline/line-splitter.js';
import { fanOutHour } from '../../src/runtime/lambda/fan-out.js';
import type { SqsSender } from '../../src/runtime/lambda/sqs-batches.js';
import { parseTaskMessage, type TaskMessage } from '../../src/runtime/lambda/task-message.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { tempDir, writeObject } from '../helpers/fixtures.js';
import { writeSmallHour } from '../helpers/processes.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks';
const HOUR = parseHour('2019-06-01T15') as Hour;

/** A mocked SQS that records each call's entries and, at each call, what `atSend` saw then. */
class MockedSqs implements SqsSender {
  readonly calls: SendMessageBatchRequestEntry[][] = [];
  constructor(
    private readonly atSend: (entries: SendMessageBatchRequestEntry[]) => Promise<void> = async () => undefined,
    private readonly refuse?: Error,
  ) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const entries = command.input.Entries ?? [];
    this.calls.push(entries);
    await this.atSend(entries);
    if (this.refuse) throw this.refuse;
    return { $metadata: {}, Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })), Failed: [] };
  }

  get messages(): TaskMessage[] {
    return this.calls.flat().map((e) => parseTaskMessage(e.MessageBody ?? ''));
  }
}

function requestFor(source: string, lake: string): RunRequest {
  return {
    source: { kind: 'local', root: source },
    lake: { kind: 'local', root: lake },
    layout: 'flat',
    format: 'parquet',
    codec: 'zstd',
    targetFileBytes: 64 * 1024 * 1024,
    maxLineBytes: MAX_LINE_BYTES,
    timezone: 'UTC',
  };
}

/** Nine objects of about 1.1 MB (so the planner's ~4 MiB tasks make three), one of another hour and one misnamed. */
async function sourceHour(): Promise<{ source: string; keys: string[]; bytes: number }> {
  const source = await tempDir();
  await writeSmallHour(source, HOUR.label, 9, 8000);
  await writeSmallHour(source, '2019-06-01T16', 1, 3, 'other');
  await writeObject(source, '2019-06-01-15-notes.json', '{}\n');
  const names = (await readdir(source)).filter((n) => n.startsWith('2019-06-01-15-0-'));
  const keys = names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const store = new LocalObjectStore(source);
  let bytes = 0;
  for await (const info of store.list('2019-06-01-15-')) if (keys.includes(info.key)) bytes += info.size;
  return { source, keys, bytes };
}

describe('fanOutHour (mocked SQS)', () => {
  it('records the run (its plan) in the lake before the first send, then sends one message of ids per planned task; the plan covers every object once, in key order', async () => {
    const { source, keys, bytes } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const recordAtSend: (string | undefined)[] = [];
    const sqs = new MockedSqs(async (entries) => {
      const runId = parseTaskMessage(entries[0]?.MessageBody ?? '').runId;
      recordAtSend.push((await readLakeRun(lake, HOUR.label, runId))?.status);
    });
    const request = requestFor(source, lakeDir);
    const report = await fanOutHour({ request, hour: HOUR, queueUrl: QUEUE, sqs, lake });

    expect(report).toMatchObject({ hour: HOUR.label, objects: 9, bytes, skipped: 1, tasks: 3, messages: 3, calls: 1, retried: 0 });
    expect(recordAtSend).toEqual(['queued']);

    // Ids only: what to read, from where, and how, the worker takes from the plan.
    expect(sqs.calls.flat().map((e) => JSON.parse(e.MessageBody ?? ''))).toEqual(['t00000', 't00001', 't00002'].map((taskId) => ({ version: 2, runId: report.runId, taskId })));

    const record = await readLakeRun(lake, HOUR.label, report.runId);
    expect(record).toMatchObject({ version: 1, runId: report.runId, hour: HOUR.label, status: 'queued', queue: QUEUE });
    expect(record?.manifest).toMatchObject({ source: request.source, format: 'parquet', codec: 'zstd', targetFileBytes: request.targetFileBytes, maxLineBytes: MAX_LINE_BYTES });
    const covered = record?.manifest.tasks.flatMap((t) => t.objects) ?? [];
    expect(covered.map((o) => o.key)).toEqual(keys);
    expect(covered.map((o) => o.index)).toEqual(keys.map((_, i) => i));
    expect(record?.manifest.tasks.map((t) => t.bytes).reduce((a, b) => a + b, 0)).toBe(bytes);
  });

  it('on a FIFO queue, sends the hour as the message group and the run and task as the deduplication id', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const sqs = new MockedSqs();
    const report = await fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: `${QUEUE}.fifo`, sqs, lake: new LocalObjectStore(lakeDir) });
    expect(sqs.calls.flat().map((e) => [e.MessageGroupId, e.MessageDeduplicationId])).toEqual(
      ['t00000', 't00001', 't00002'].map((t) => [HOUR.label, `${report.runId}-${t}`]),
    );
  });

  it('an hour of 3,600 tiny objects is one planned task and one small message (the keys live in the plan, not the message)', async () => {
    const source = await tempDir();
    for (let m = 0; m < 60; m++) for (let s = 0; s < 60; s++) await writeObject(source, `2019-06-01-15-${m}-${s}-events.json`, '{}\n');
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const sqs = new MockedSqs();
    const report = await fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: QUEUE, sqs, lake });
    expect(report).toMatchObject({ objects: 3600, tasks: 1, messages: 1 });
    expect(sqs.messages).toEqual([{ version: 2, runId: report.runId, taskId: 't00000' }]);
    const record = await readLakeRun(lake, HOUR.label, report.runId);
    expect(record?.manifest.tasks[0]?.objects.map((o) => o.index)).toEqual(Array.from({ length: 3600 }, (_, i) => i));
  });

  it('refuses an hour whose earlier run is still queued in the lake; --replace ends that run and fans out again', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const first = await fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake });
    const refused = new MockedSqs();
    await expect(fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: QUEUE, sqs: refused, lake })).rejects.toThrow(
      `hour ${HOUR.label} already has run ${first.runId} queued in the lake since`,
    );
    expect(refused.calls).toEqual([]);
    const second = await fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake, replace: true });
    expect(await readLakeRun(lake, HOUR.label, first.runId)).toMatchObject({ status: 'failed', error: `replaced by run ${second.runId}` });
    expect((await readLakeRun(lake, HOUR.label, second.runId))?.status).toBe('queued');
  });

  it('marks a run queued past cloud.staleRunAfter failed as stale (its task dead-lettered), so the hour fans out again; a younger one still refuses', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const request = requestFor(source, lakeDir);
    const stuck = await fanOutHour({ request, hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake });
    const queuedAt = Date.parse((await readLakeRun(lake, HOUR.label, stuck.runId))!.queuedAt);
    const hour = 60 * 60 * 1000;
    // An hour on, under a 2-hour deadline: still refused.
    await expect(fanOutHour({ request, hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake, staleRunAfterMs: 2 * hour, now: () => queuedAt + hour })).rejects.toThrow(
      `hour ${HOUR.label} already has run ${stuck.runId} queued`,
    );
    // Past it: the stuck run ends failed with why, and the hour is fanned out again.
    const again = await fanOutHour({ request, hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake, staleRunAfterMs: 2 * hour, now: () => queuedAt + 2 * hour + 1 });
    expect(again.swept).toEqual([{ runId: stuck.runId, error: expect.stringContaining('stale: queued since') as string }]);
    const ended = await readLakeRun(lake, HOUR.label, stuck.runId);
    expect(ended).toMatchObject({ status: 'failed', finishedAt: new Date(queuedAt + 2 * hour + 1).toISOString() });
    expect(ended?.error).toBe(
      `stale: queued since ${ended?.queuedAt}, over 2h ago, with 0 of 3 tasks done (not done: t00000, t00001, t00002); a task was dead-lettered or lost (eventlake dlq list shows the dead letters); the hour can be fanned out again`,
    );
    expect((await readLakeRun(lake, HOUR.label, again.runId))?.status).toBe('queued');
  });

  it('sweeps the hours before the one fanned out when asked (the schedule: the day before), and never with staleRunAfter none', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const request = requestFor(source, lakeDir);
    const earlier = await fanOutHour({ request, hour: HOUR, queueUrl: QUEUE, sqs: new MockedSqs(), lake });
    const later = parseHour('2019-06-01T16') as Hour;
    const day = 24 * 60 * 60 * 1000;
    const never = await fanOutHour({ request, hour: later, queueUrl: QUEUE, sqs: new MockedSqs(), lake, staleRunAfterMs: null, sweepHoursBefore: 24, now: () => Date.now() + day });
    expect(never.swept).toBeUndefined();
    expect((await readLakeRun(lake, HOUR.label, earlier.runId))?.status).toBe('queued');
    const swept = await fanOutHour({ request, hour: later, queueUrl: QUEUE, sqs: new MockedSqs(), lake, replace: true, sweepHoursBefore: 24, now: () => Date.now() + day });
    expect(swept.swept?.map((s) => s.runId)).toEqual([never.runId, earlier.runId]);
    expect((await readLakeRun(lake, HOUR.label, earlier.runId))?.status).toBe('failed');
  });

  it('refuses an hour with no source objects in the sentence `eventlake run` gives, recording and sending nothing', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const sqs = new MockedSqs();
    await expect(fanOutHour({ request: requestFor(source, lakeDir), hour: parseHour('2019-06-01T17') as Hour, queueUrl: QUEUE, sqs, lake })).rejects.toThrow(
      `no source objects for hour 2019-06-01T17 under ${source} with --layout flat (expected names like 2019-06-01-17-5-7-events.json)`,
    );
    expect(sqs.calls).toEqual([]);
    expect(await listLakeRuns(lake)).toEqual([]);
  });

  it('records an hour with no source objects as an empty hour (success, 0 objects, the sentence as its note) when asked, sending nothing', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const sqs = new MockedSqs();
    const report = await fanOutHour({ request: requestFor(source, lakeDir), hour: parseHour('2019-06-01T17') as Hour, queueUrl: QUEUE, sqs, lake, emptyHour: 'record' });
    expect(report).toMatchObject({ hour: '2019-06-01T17', objects: 0, tasks: 0, messages: 0 });
    expect(report.empty).toBe(`no source objects for hour 2019-06-01T17 under ${source} with --layout flat (expected names like 2019-06-01-17-5-7-events.json): recorded as an empty hour`);
    expect(sqs.calls).toEqual([]);
    const [record] = await listLakeRuns(lake);
    expect(record).toMatchObject({ runId: report.runId, hour: '2019-06-01T17', status: 'success', summary: { objects: 0, events: {} }, note: report.empty });
    // Nothing queued, so the hour's next fan-out (late files) is not refused.
    await writeSmallHour(source, '2019-06-01T17', 2, 3);
    expect((await fanOutHour({ request: requestFor(source, lakeDir), hour: parseHour('2019-06-01T17') as Hour, queueUrl: QUEUE, sqs, lake })).objects).toBe(2);
  });

  it('marks the run failed in the lake, with the reason, when its tasks could not be sent', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const lake = new LocalObjectStore(lakeDir);
    const sqs = new MockedSqs(undefined, Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }));
    await expect(fanOutHour({ request: requestFor(source, lakeDir), hour: HOUR, queueUrl: QUEUE, sqs, lake })).rejects.toThrow(
      `3 of 3 messages could not be sent to the queue ${QUEUE}; the first reason: AccessDenied: Access to the resource is denied.`,
    );
    const [record] = await listLakeRuns(lake, HOUR.label);
    expect(record).toMatchObject({ status: 'failed', queue: QUEUE, error: expect.stringMatching(/^3 of 3 messages could not be sent/) });
    expect(record?.finishedAt).toBeDefined();
  });
});

describe('fanOutToQueue (mocked SQS)', () => {
  it('refuses a queue URL that is not one, naming where it came from, before listing anything', async () => {
    const sqs = new MockedSqs();
    const request = requestFor('/nonexistent-source', '/nonexistent-lake');
    await expect(fanOutToQueue(request, HOUR, { queueUrl: 'eventlake-tasks', queueFrom: '--queue-url', sqs })).rejects.toThrow(
      /^--queue-url eventlake-tasks is not a queue URL like https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/eventlake-tasks$/,
    );
    await expect(fanOutToQueue(request, HOUR, { queueUrl: ' ', queueFrom: 'EVENTLAKE_QUEUE_URL', sqs })).rejects.toThrow(/^EVENTLAKE_QUEUE_URL is empty; give the queue's URL/);
    await expect(fanOutToQueue(request, HOUR, { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/', sqs })).rejects.toThrow(/is not a queue URL/);
  });

  it('refuses a lake that is the source, or inside it with --layout any', async () => {
    const source = await tempDir();
    const sqs = new MockedSqs();
    await expect(fanOutToQueue(requestFor(source, source), HOUR, { queueUrl: QUEUE, sqs })).rejects.toThrow(`the lake folder ${source} is the source folder; choose another lake`);
    const inside = { ...requestFor(source, `${source}/lake`), layout: 'any' as const };
    await expect(fanOutToQueue(inside, HOUR, { queueUrl: QUEUE, sqs })).rejects.toThrow(/is inside the source .* which --layout any reads whole/);
    const buckets: RunRequest = { ...requestFor(source, source), layout: 'any', source: { kind: 's3', bucket: 'raw', prefix: 'events/' }, lake: { kind: 's3', bucket: 'raw', prefix: 'events/lake/' } };
    await expect(fanOutToQueue(buckets, HOUR, { queueUrl: QUEUE, sqs })).rejects.toThrow('the lake s3://raw/events/lake/ is inside the source s3://raw/events/');
    expect(sqs.calls).toEqual([]);
  });

  it('fans a local hour out into a local lake', async () => {
    const { source } = await sourceHour();
    const lakeDir = await tempDir();
    const sqs = new MockedSqs();
    const report = await fanOutToQueue(requestFor(source, lakeDir), HOUR, { queueUrl: QUEUE, sqs });
    expect(report.messages).toBe(3);
    expect((await readLakeRun(new LocalObjectStore(lakeDir), HOUR.label, report.runId))?.status).toBe('queued');
  });
});
