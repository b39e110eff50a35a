/**
 * The Lambda entry point (the container image's CMD names `index.handler`, this export bundled).
 * - An SQS event: each record is one task message, ids only; the task is read from the run's
 *   plan in the deployment's lake (the source and lake the function's environment configures,
 *   EVENTLAKE_SOURCE_PATH and EVENTLAKE_LAKE_PATH; buckets only in Lambda). Powertools' batch processor runs them and
 *   answers a partial batch response, so a failing record alone is retried (sooner than the
 *   queue's visibility timeout: 30 s, 2 min, 8 min by its receive count, retry-visibility.ts)
 *   and, after the queue's maxReceiveCount, dead-lettered; the others are deleted.
 * - A scheduled event `{"eventlake":"fanout","hour":"previous"|"YYYY-MM-DDTHH"}` (EventBridge
 *   Scheduler): the hour's fan-out (scheduled-fan-out.ts).
 * Logs are JSON lines on stdout (CloudWatch), one per record, never with credentials.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pino, { type Logger } from 'pino';
import { defaultRegistry } from '../../events/entity-registry.js';
import { deploymentFromEnvironment, inLambda, type Deployment } from './deployment.js';
import { parseTaskMessage } from './task-message.js';
import { workOnTask } from './task-worker.js';
import { refreshDeadlineMs } from './warehouse-refresh.js';
import { isFanOutEvent, type FanOutEvent } from './fan-out-event.js';
import type { VisibilityChanger } from './retry-visibility.js';

const registry = defaultRegistry();

/** A close claim outlives the invocation by a margin: past it, the closer is surely gone. */
const CLAIM_MARGIN_MS = 60_000;
/** The longest a worker waits for another invocation's close before failing its message for SQS to deliver again. */
const CLOSE_WAIT_MS = 120_000;
/** Time kept back from a wait for the invocation's own answer. */
const WAIT_MARGIN_MS = 30_000;

export interface HandlerOptions {
  /** The stores the worker may use; the function's environment's by default (read once). */
  readonly deployment?: () => Promise<Deployment>;
  /** Where Lambda's variables are read (AWS_LAMBDA_FUNCTION_NAME, the config overrides); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Run as Lambda's entry point: folders refused whatever the environment says. Otherwise AWS_LAMBDA_FUNCTION_NAME tells. */
  readonly inLambda?: boolean;
  /** The close claim's clock, and the sleep between looks at a close another invocation holds. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * What shortens a failed record's visibility (retry-visibility.ts): in Lambda, an SQS client for
   * the record's queue by default; elsewhere (`eventlake lambda invoke`, whose event is a file,
   * not a queue's) none unless given.
   */
  readonly visibility?: VisibilityChanger;
}

/** The visibility changer for failed records: the one given, or in Lambda an SQS client made on the first failure. */
function visibilityChanger(options: HandlerOptions, env: NodeJS.ProcessEnv): (queueUrl: string) => Promise<VisibilityChanger | undefined> {
  let client: Promise<VisibilityChanger> | undefined;
  return async (queueUrl) => {
    if (options.visibility) return options.visibility;
    if (!(options.inLambda === true || inLambda(env))) return undefined;
    // Loaded on the first failure: a task that succeeds never needs the SQS client.
    client ??= import('./sqs-batches.js').then(({ createSqsClient }) => createSqsClient(queueUrl, env));
    return client;
  };
}

/** Shortens a failed record's visibility by its receive count; a refused change is logged, and the queue's own timeout stands. */
async function backOff(record: SQSRecord, error: unknown, log: Logger, env: NodeJS.ProcessEnv, changer: (queueUrl: string) => Promise<VisibilityChanger | undefined>): Promise<void> {
  try {
    const { backOffFailedRecord, queueUrlOfArn } = await import('./retry-visibility.js');
    const endpoint = env['AWS_ENDPOINT_URL_SQS'] ?? env['AWS_ENDPOINT_URL'];
    const sqs = await changer(queueUrlOfArn(record.eventSourceARN, endpoint));
    if (!sqs) return;
    const seconds = await backOffFailedRecord(sqs, record, error, endpoint);
    if (seconds !== undefined) log.info({ messageId: record.messageId, retryInSeconds: seconds }, 'task retry scheduled');
  } catch (err) {
    log.warn({ messageId: record.messageId, error: (err as Error).message.split('\n')[0] }, "the failed task's visibility could not be shortened; SQS delivers it again after the queue's visibility timeout");
  }
}

function recordHandler(context: Context, log: Logger, options: HandlerOptions, deployment: () => Promise<Deployment>): (record: SQSRecord) => Promise<void> {
  const env = options.env ?? process.env;
  const changer = visibilityChanger(options, env);
  return async (record) => {
    try {
      const message = parseTaskMessage(record.body);
      const result = await workOnTask(message, {
        registry,
        deployment: await deployment(),
        inLambda: options.inLambda === true || inLambda(env),
        worker: context.awsRequestId,
        closeClaimMs: context.getRemainingTimeInMillis() + CLAIM_MARGIN_MS,
        closeWaitMs: Math.max(0, Math.min(CLOSE_WAIT_MS, context.getRemainingTimeInMillis() - WAIT_MARGIN_MS)),
        refreshDeadlineMs: () => refreshDeadlineMs(context.getRemainingTimeInMillis()),
        ...(options.now ? { now: options.now } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
      // The close as its one sentence (published by whom, what was left out), not its whole summary again.
      const close = result.outcome === 'processed' && result.close ? (result.close.closed ? result.close.sentence : result.close.reason) : undefined;
      log.info({ messageId: record.messageId, runId: message.runId, task: message.taskId, ...result, ...(close ? { close } : {}) }, 'task done');
    } catch (err) {
      log.error({ messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, error: (err as Error).message }, 'task failed');
      await backOff(record, err, log, env, changer);
      throw err;
    }
  };
}

export type EventlakeEvent = SQSEvent | FanOutEvent;
export type EventlakeHandler = (event: EventlakeEvent, context: Context) => Promise<SQSBatchResponse | object>;

/** A handler logging to `log` (`eventlake lambda invoke` keeps stdout for its answer). */
export function createHandler(log: Logger, options: HandlerOptions = {}): EventlakeHandler {
  const processor = new BatchProcessor(EventType.SQS);
  let configured: Promise<Deployment> | undefined;
  const deployment =
    options.deployment ??
    (() => {
      configured ??= deploymentFromEnvironment(options.env ?? process.env);
      // A configuration that failed to load is read again by the next record, not cached as failed.
      configured.catch(() => (configured = undefined));
      return configured;
    });
  return async (event, context) => {
    if (isFanOutEvent(event)) {
      // Loaded on demand: a task invocation never needs the SQS client.
      const { runScheduledFanOut } = await import('./scheduled-fan-out.js');
      const result = await runScheduledFanOut(event, process.env);
      log.info(result, 'fan-out done');
      return result;
    }
    // One record at a time: each task already keeps the function's cores busy, and memory stays flat.
    // Every record failing is answered like some failing (each retried by SQS, each reason logged),
    // not thrown as one error that names none of them.
    return processPartialResponse(event, recordHandler(context, log, options, deployment), processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  };
}

/** Lambda's entry point: only Lambda loads it (`eventlake lambda invoke` makes its own with createHandler), so it refuses folders. */
export const handler: EventlakeHandler = createHandler(pino({ base: { service: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'eventlake' } }), { inLambda: true });
