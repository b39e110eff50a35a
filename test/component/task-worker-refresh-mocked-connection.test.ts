/**
 * The worker refreshes the warehouse after the close that publishes the hour, never before, and a
 * refresh that fails leaves the task (the SQS record) and the run a success, with a warning. Real
 * files in a local lake; Snowflake's connection is mocked (and its secret's fetcher too).
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { readLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import type { TaskMessage } from '../../src/runtime/lambda/task-message.js';
import { workOnTask, type TaskWorkerOptions } from '../../src/runtime/lambda/task-worker.js';
import { refreshWarehouse, type WarehouseRefresh } from '../../src/runtime/lambda/warehouse-refresh.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';
import type { Deployment } from '../../src/runtime/lambda/deployment.js';
import { localDeployment, planLocalHour, recordQueuedRun, taskMessages } from '../helpers/cloud-runs.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeSmallHour } from '../helpers/processes.js';

const hour = parseHour('2019-06-01T15') as Hour;

/** A queued run of a small hour in a fresh local lake, and its task messages. */
async function queuedRun(): Promise<{ lake: string; runId: string; messages: TaskMessage[]; deployment: Deployment }> {
  const source = await tempDir();
  const lake = await tempDir();
  await writeSmallHour(source, hour.label, 3, 5);
  const manifest = await planLocalHour(source, hour, 1);
  await recordQueuedRun(new LocalObjectStore(lake), manifest);
  const runId = manifest.runId;
  const messages = taskMessages(manifest);
  return { lake, runId, messages, deployment: localDeployment(source, lake) };
}

const options = async (refresh: TaskWorkerOptions['refreshWarehouse'], deployment: Deployment): Promise<TaskWorkerOptions> => ({
  registry: defaultRegistry(),
  deployment,
  inLambda: false,
  worker: 'request-1',
  closeClaimMs: 600_000,
  scratchRoot: await tempDir(),
  refreshWarehouse: refresh,
});

describe('the worker and the warehouse refresh (mocked connection, mocked Secrets Manager)', () => {
  it('refreshes once, after the close that published the hour and not before it', async () => {
    const { lake, runId, messages, deployment } = await queuedRun();
    expect(messages.length).toBeGreaterThan(1);
    const calls: { hour: string; status: string | undefined; deadlineMs: number | undefined }[] = [];
    const refresh = async (label: string, deadlineMs?: number): Promise<WarehouseRefresh> => {
      // What the lake says at the moment of the refresh: the hour must be published by then.
      calls.push({ hour: label, status: (await readLakeRun(new LocalObjectStore(lake), label, runId))?.status, deadlineMs });
      return { outcome: 'refreshed', statements: 3, load: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' };
    };
    // The deadline the worker is given, asked when the refresh starts (the handler's: remaining time less a margin).
    const worker = { ...(await options(refresh, deployment)), refreshDeadlineMs: () => 42_000 };
    for (const message of messages.slice(0, -1)) {
      const result = await workOnTask(message, worker);
      expect(result).not.toHaveProperty('refresh');
    }
    expect(calls).toEqual([]);
    const last = await workOnTask(messages.at(-1)!, worker);
    expect(calls).toEqual([{ hour: '2019-06-01T15', status: 'success', deadlineMs: 42_000 }]);
    expect(last).toMatchObject({ outcome: 'processed', close: { closed: true }, refresh: { outcome: 'refreshed', load: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' } });
    // A duplicate after the close is skipped before any refresh.
    expect(await workOnTask(messages[0]!, worker)).toMatchObject({ outcome: 'skipped' });
    expect(calls).toHaveLength(1);
  });

  it('leaves the task and the run a success when the refresh fails in Snowflake, answering the warning', async () => {
    const { lake, runId, messages, deployment } = await queuedRun();
    const sent: string[] = [];
    const failing: SqlConnection = {
      async execute(sql) {
        sent.push(sql);
        throw new Error('Object \'"ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE"\' does not exist or not authorized.');
      },
      async close() {},
    };
    const warned: unknown[] = [];
    const refresh = (label: string): Promise<WarehouseRefresh> =>
      refreshWarehouse(label, {
        env: { SNOWFLAKE_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:eventlake' },
        fetchSecret: async () => JSON.stringify({ account: 'xy12345', user: 'loader', password: 'pw-secret', database: 'analytics', schema: 'eventlake' }),
        connect: async () => failing,
        warn: (fields) => warned.push(fields),
      });
    const worker = await options(refresh, deployment);
    for (const message of messages.slice(0, -1)) await workOnTask(message, worker);
    const last = await workOnTask(messages.at(-1)!, worker);
    const warning = `the warehouse refresh of hour 2019-06-01T15 failed in Snowflake: Object '"ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE"' does not exist or not authorized.; the hourly load will pick the hour up`;
    expect(last).toMatchObject({ outcome: 'processed', close: { closed: true }, refresh: { outcome: 'failed', warning } });
    expect(sent).toEqual([`ALTER EXTERNAL TABLE "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE" REFRESH 'date=2019-06-01/hour=15/'`]);
    expect(warned).toEqual([{ hour: '2019-06-01T15', warning }]);
    const record = await readLakeRun(new LocalObjectStore(lake), hour.label, runId);
    expect(record?.status).toBe('success');
    expect(record?.summary?.events).toEqual({ vehicle: 15 });
  });

  it('skips the refresh, and says why, when Snowflake is not configured (the default refresh, an environment without Snowflake)', async () => {
    const { messages, deployment } = await queuedRun();
    const worker = await options((label) => refreshWarehouse(label, { env: {} }), deployment);
    for (const message of messages.slice(0, -1)) await workOnTask(message, worker);
    expect(await workOnTask(messages.at(-1)!, worker)).toMatchObject({
      close: { closed: true },
      refresh: { outcome: 'skipped', reason: 'Snowflake is not configured (neither SNOWFLAKE_SECRET_ID nor SNOWFLAKE_ACCOUNT is set)' },
    });
  });
});
