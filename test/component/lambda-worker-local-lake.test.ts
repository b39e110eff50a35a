/**
 * The cloud worker's handler on SQS events (Lambda's service mocked: the handler is called with
 * the event JSON Lambda would pass), against local folders: every task staged, exactly one close,
 * the same rows as a local run, a duplicate delivery adding nothing and a bad record failing alone.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLakeRun } from '../../src/orchestration/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import type { RunManifest } from '../../src/pipeline/run-manifest.js';
import pino from 'pino';
import { createHandler } from '../../src/runtime/lambda/lambda-handler.js';
import type { TaskMessage } from '../../src/runtime/lambda/task-message.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { differentRows, flatSample, query, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { planLocalHour, recordQueuedRun, taskMessages } from '../helpers/cloud-runs.js';
import { runHourInProcess } from '../helpers/in-process.js';
import { lambdaContext, sqsEvent } from '../helpers/sqs-events.js';

const hour = parseHour(SAMPLE_HOUR) as Hour;
// The exported handler logs to stdout for CloudWatch; the same handler, quiet, for the test's output.
const handler = createHandler(pino({ enabled: false }));

async function plannedRun(source: string, lake: string): Promise<{ manifest: RunManifest; messages: TaskMessage[] }> {
  const manifest = await planLocalHour(source, hour, 256 * 1024);
  await recordQueuedRun(new LocalObjectStore(lake), manifest);
  return { manifest, messages: taskMessages(manifest, { kind: 'local', root: lake }) };
}

describe('the Lambda handler on SQS events, local folders (Lambda service mocked)', () => {
  it('processes every task, closes the hour once, and matches a local run row for row', async () => {
    const source = await flatSample();
    const lake = await tempDir();
    const { manifest, messages } = await plannedRun(source, lake);
    expect(manifest.tasks.length).toBeGreaterThan(4);
    const bodies = messages.map((m) => JSON.stringify(m));
    // Three invocations; the last task's message comes twice (an at-least-once redelivery), with a stray record.
    const first = await handler(sqsEvent([...bodies.slice(0, 2), 'not json']), lambdaContext());
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    await handler(sqsEvent(bodies.slice(2, -1)), lambdaContext());
    expect((await readLakeRun(new LocalObjectStore(lake), hour.label, manifest.runId))?.status).toBe('queued');
    const last = await handler(sqsEvent([bodies.at(-1) as string]), lambdaContext());
    expect(last).toEqual({ batchItemFailures: [] });
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

  it('a message for a run the lake has no record of fails alone, with a sentence', async () => {
    const source = await flatSample();
    const lake = await tempDir();
    const { messages } = await plannedRun(source, lake);
    const stray = { ...messages[0], settings: { ...messages[0]?.settings, runId: '2019-06-01T15-unknown' } };
    const response = await handler(sqsEvent([JSON.stringify(stray), JSON.stringify(messages[0])]), lambdaContext());
    expect((response as { batchItemFailures: unknown[] }).batchItemFailures).toHaveLength(1);
  });

  it('a batch whose every record fails answers each as a failure (each retried and logged), not one error naming none', async () => {
    const malformed = { ...sqsEvent(['not json']), Records: [...sqsEvent(['not json']).Records, {} as never] };
    const response = (await handler(malformed, lambdaContext())) as { batchItemFailures: unknown[] };
    expect(response.batchItemFailures).toHaveLength(2);
  });
});
