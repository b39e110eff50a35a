/**
 * One hour through the cloud path, counted: the source folder uploaded to s3rver (the producers'
 * PUTs, counted apart), then the bundled Lambda handler (the file the image's CMD loads) called
 * as Lambda would call it: once with the schedule's fan-out event, which lists the hour and sends
 * its tasks to a mock of SQS; then once per batch of the stack's batch size with those messages
 * as an SQS event (Lambda's service mocked), the last task closing the hour. Counted: every S3
 * request s3rver receives, by kind and bucket; SQS send calls and messages at the mock; handler
 * calls; each call's wall time, billed as Lambda bills it (whole milliseconds × configured memory).
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { REPO_ROOT } from '../infra/repo-root.js';
import { readLakeRun } from '../src/orchestration/lake/lake-run-records.js';
import type { EventlakeHandler } from '../src/runtime/lambda/lambda-handler.js';
import type { FanOutReport } from '../src/runtime/lambda/fan-out.js';
import { S3ObjectStore } from '../src/storage/s3/s3-object-store.js';
import { MockedSqsServer } from '../test/helpers/mocked-sqs-server.js';
import { lambdaContext, sqsEvent } from '../test/helpers/sqs-events.js';
import { startS3Server } from '../test/helpers/s3-server-client.js';
import { tallyRequests, type S3Tally } from './cloud-cost-requests.js';

export const BUNDLED_HANDLER = join(REPO_ROOT, 'infra/lambda-image/build/index.mjs');

export interface CloudHourOptions {
  /** A local folder holding the hour's source objects, flat. */
  readonly source: string;
  /** `YYYY-MM-DDTHH` */
  readonly hour: string;
  readonly memoryMb: number;
  /** Messages per invocation (the event source mapping's batch size). */
  readonly batchSize: number;
}

export interface CloudHour {
  readonly runId: string;
  readonly status: string;
  readonly uploaded: number;
  readonly fanOut: FanOutReport;
  /** The pipeline's S3 requests (not the producers' uploads), by kind: all, then per bucket. */
  readonly s3: S3Tally;
  readonly s3Source: S3Tally;
  readonly s3Lake: S3Tally;
  readonly s3Lines: number;
  readonly sqsSendCalls: number;
  readonly sqsMessages: number;
  readonly invocations: number;
  /** Invocations that carried task messages (each is one ReceiveMessage and one delete for Lambda's poller). */
  readonly taskInvocations: number;
  readonly handlerSeconds: number;
  readonly billedSeconds: number;
  readonly gbSeconds: number;
}

export async function measureCloudHour(options: CloudHourOptions): Promise<CloudHour> {
  const s3 = await startS3Server(['events', 'lake']);
  const sqs = new MockedSqsServer();
  let restore: (() => void) | undefined;
  try {
    const uploaded = await s3.uploadFolder('events', '', options.source);
    await s3.takeRequests(); // the producers' PUTs: the same in any design, not the pipeline's
    await sqs.start();
    const queueUrl = `${sqs.url}/123456789012/eventlake-tasks`;
    // The function's environment as the stack sets it, pointed at s3rver and the SQS mock.
    restore = s3.applyEnv({
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_LAMBDA_FUNCTION_NAME: 'eventlake-worker',
      EVENTLAKE_SOURCE_PATH: 's3://events/',
      EVENTLAKE_LAKE_PATH: 's3://lake/',
      EVENTLAKE_QUEUE_URL: queueUrl,
      EVENTLAKE_SOURCE_LAYOUT: 'flat',
      EVENTLAKE_LAKE_FORMAT: 'parquet',
    });
    const { handler } = (await import(pathToFileURL(BUNDLED_HANDLER).href)) as { handler: EventlakeHandler };
    const billedMs: number[] = [];
    let handlerMs = 0;
    const invoke = async <T>(call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const answer = await call();
      const ms = performance.now() - started;
      handlerMs += ms;
      billedMs.push(Math.ceil(ms));
      return answer;
    };
    const context = { ...lambdaContext(), memoryLimitInMB: String(options.memoryMb) };
    const fanOut = (await invoke(() => handler({ eventlake: 'fanout', hour: options.hour }, context))) as FanOutReport;
    const bodies = sqs.bodies();
    let taskInvocations = 0;
    for (let i = 0; i < bodies.length; i += options.batchSize) {
      const answer = (await invoke(() => handler(sqsEvent(bodies.slice(i, i + options.batchSize)), { ...lambdaContext(), memoryLimitInMB: String(options.memoryMb) }))) as SQSBatchResponse;
      taskInvocations += 1;
      if (answer.batchItemFailures.length > 0) throw new Error(`invocation ${taskInvocations} failed ${answer.batchItemFailures.length} messages`);
    }
    const lines = await s3.takeRequests();
    const record = await readLakeRun(new S3ObjectStore('lake', ''), options.hour, fanOut.runId);
    const billedSeconds = billedMs.reduce((a, b) => a + b, 0) / 1000;
    return {
      runId: fanOut.runId,
      status: record?.status ?? 'missing',
      uploaded,
      fanOut,
      s3: tallyRequests(lines),
      s3Source: tallyRequests(lines, 'events'),
      s3Lake: tallyRequests(lines, 'lake'),
      s3Lines: lines.length,
      sqsSendCalls: sqs.received.length,
      sqsMessages: bodies.length,
      invocations: billedMs.length,
      taskInvocations,
      handlerSeconds: handlerMs / 1000,
      billedSeconds,
      gbSeconds: (billedSeconds * options.memoryMb) / 1024,
    };
  } finally {
    restore?.();
    await sqs.stop();
    await s3.close();
  }
}
