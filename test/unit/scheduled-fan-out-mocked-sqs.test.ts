/**
 * The schedule's event to the Lambda (`{"eventlake":"fanout","hour":…}`): which hour it means, and
 * the fan-out it runs with the settings the function's environment gives, against a mock of SQS
 * (a real HTTP server on loopback; no SQS can run here) and local folders.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLakeRuns } from '../../src/orchestration/lake/lake-run-records.js';
import { hourOfEvent } from '../../src/runtime/lambda/fan-out-event.js';
import { createHandler } from '../../src/runtime/lambda/lambda-handler.js';
import { requestFromEnvironment } from '../../src/runtime/lambda/scheduled-fan-out.js';
import { loadLakeFormat } from '../../src/formats/lake-formats.js';
import { parseTaskMessage } from '../../src/runtime/lambda/task-message.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { MockedSqsServer } from '../helpers/mocked-sqs-server.js';
import { writeSmallHour } from '../helpers/processes.js';
import { lambdaContext } from '../helpers/sqs-events.js';

const sqs = new MockedSqsServer();
beforeAll(() => sqs.start());
afterAll(() => sqs.stop());

describe('the scheduled fan-out event', () => {
  it('"previous" is the hour before now as the source counts hours; a named hour is taken as it is', () => {
    const now = new Date('2026-11-25T10:20:00Z');
    expect(hourOfEvent({ eventlake: 'fanout', hour: 'previous' }, 'UTC', now).label).toBe('2026-11-25T09');
    expect(hourOfEvent({ eventlake: 'fanout', hour: 'previous' }, 'Europe/Berlin', now).label).toBe('2026-11-25T10');
    expect(hourOfEvent({ eventlake: 'fanout', hour: '2019-06-01T15' }, 'UTC', now).label).toBe('2019-06-01T15');
    expect(() => hourOfEvent({ eventlake: 'fanout', hour: 'yesterday' }, 'UTC', now)).toThrow('is not "previous" or YYYY-MM-DDTHH');
  });

  it('resolves the run as the CLI does: a codec the format lacks is refused naming its variable, before anything is sent', async () => {
    const source = await tempDir();
    const env = {
      EVENTLAKE_SOURCE_PATH: source,
      EVENTLAKE_LAKE_PATH: await tempDir(),
      EVENTLAKE_LAKE_FORMAT: 'parquet',
      EVENTLAKE_LAKE_CODEC: "zstd'); COPY x TO '/tmp/x",
    };
    await expect(requestFromEnvironment(env)).rejects.toThrow(
      `EVENTLAKE_LAKE_CODEC zstd'); COPY x TO '/tmp/x is not available for parquet; use ${(await loadLakeFormat('parquet')).codecs.join(' or ')}`,
    );
    const request = await requestFromEnvironment({ ...env, EVENTLAKE_LAKE_CODEC: 'snappy' });
    expect(request).toMatchObject({ codec: 'snappy', format: 'parquet', source: { kind: 'local', root: source } });
    await expect(requestFromEnvironment({ ...env, EVENTLAKE_LAKE_CODEC: undefined, EVENTLAKE_SOURCE_PATH: 's3://Bad_Bucket/' })).rejects.toThrow('EVENTLAKE_SOURCE_PATH');
  });

  it('"previous" counts from the scheduled time the scheduler passes, so a retry an hour later fans out the intended hour', () => {
    const event = { eventlake: 'fanout', hour: 'previous', scheduledTime: '2026-11-25T10:10:00Z' } as const;
    // The first attempt, and a retry that arrives past the next hour's start.
    expect(hourOfEvent(event, 'UTC', new Date('2026-11-25T10:10:02Z')).label).toBe('2026-11-25T09');
    expect(hourOfEvent(event, 'UTC', new Date('2026-11-25T11:05:00Z')).label).toBe('2026-11-25T09');
    expect(hourOfEvent(event, 'Europe/Berlin', new Date('2026-11-25T11:05:00Z')).label).toBe('2026-11-25T10');
    expect(() => hourOfEvent({ ...event, scheduledTime: '<aws.scheduler.scheduled-time>' }, 'UTC')).toThrow('is not an ISO 8601 time');
  });

  it('fans the hour out with the settings of the environment (config overrides and EVENTLAKE_QUEUE_URL)', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeSmallHour(source, '2019-06-01T15', 4, 3);
    const saved = { ...process.env };
    Object.assign(process.env, {
      EVENTLAKE_SOURCE_PATH: source,
      EVENTLAKE_LAKE_PATH: lake,
      EVENTLAKE_LAKE_FORMAT: 'avro',
      EVENTLAKE_QUEUE_URL: `${sqs.url}/123456789012/eventlake-tasks`,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ACCESS_KEY_ID: 'test-only',
      AWS_SECRET_ACCESS_KEY: 'test-only',
      AWS_REGION: 'us-east-1',
    });
    try {
      const handler = createHandler(pino({ enabled: false }));
      const report = (await handler({ eventlake: 'fanout', hour: '2019-06-01T15' }, lambdaContext())) as { runId: string; objects: number; messages: number };
      expect(report.objects).toBe(4);
      const messages = sqs.bodies().map(parseTaskMessage).filter((m) => m.runId === report.runId);
      expect(messages).toHaveLength(report.messages);
      // The messages hold ids; the plan in the environment's lake holds the rest.
      const [record] = await listLakeRuns(new LocalObjectStore(lake));
      expect(record?.runId).toBe(report.runId);
      expect(record?.manifest).toMatchObject({ format: 'avro', source: { kind: 'local', root: source } });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('records the scheduled hour as empty when the source has no objects for it, and answers instead of throwing (no retry into the dead letters)', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeSmallHour(source, '2019-06-01T15', 2, 3);
    const saved = { ...process.env };
    Object.assign(process.env, {
      EVENTLAKE_SOURCE_PATH: source,
      EVENTLAKE_LAKE_PATH: lake,
      EVENTLAKE_QUEUE_URL: `${sqs.url}/123456789012/eventlake-tasks`,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ACCESS_KEY_ID: 'test-only',
      AWS_SECRET_ACCESS_KEY: 'test-only',
      AWS_REGION: 'us-east-1',
    });
    try {
      const handler = createHandler(pino({ enabled: false }));
      // Scheduled at 17:10: the hour 16, which has no objects.
      const report = (await handler({ eventlake: 'fanout', hour: 'previous', scheduledTime: '2019-06-01T17:10:00Z' }, lambdaContext())) as { runId: string; hour: string; messages: number; empty?: string };
      expect(report).toMatchObject({ hour: '2019-06-01T16', messages: 0 });
      expect(report.empty).toContain('no source objects for hour 2019-06-01T16');
      const [record] = await listLakeRuns(new LocalObjectStore(lake), '2019-06-01T16');
      expect(record).toMatchObject({ runId: report.runId, status: 'success', summary: { objects: 0 }, note: report.empty });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
