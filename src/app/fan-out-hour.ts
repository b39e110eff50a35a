/**
 * Fanning one hour out to the cloud's workers, as the CLI (and later the scheduler's Lambda)
 * asks for it: check the locations and the queue URL, then plan, record and send the tasks.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { UserError } from '../errors/user-error.js';
import { checkLocations } from './check-locations.js';
import type { RunRequest } from '../orchestration/run-store.js';
import type { Hour } from '../pipeline/hour.js';
import type { RunManifest } from '../pipeline/run-manifest.js';
import { fanOutHour, type FanOutReport } from '../runtime/lambda/fan-out.js';
import { createSqsClient, type SqsSender } from '../runtime/lambda/sqs-batches.js';
import { openLakeStorage } from '../storage/lake-storage-registry.js';
import { openObjectStore } from '../storage/object-store-registry.js';

export type { FanOutReport };

export interface FanOutHourOptions {
  readonly queueUrl: string;
  /** Where the queue URL came from, for errors: `--queue-url` or `EVENTLAKE_QUEUE_URL`. */
  readonly queueFrom?: string;
  /** Sends the messages; an SQS client for the queue when not given. */
  readonly sqs?: SqsSender;
  readonly onPlanned?: (manifest: RunManifest) => void;
  /** Ends a run of the hour still queued in the lake instead of refusing. */
  readonly replace?: boolean;
  /** A run of the hour still queued this long is marked failed (`cloud.staleRunAfter`); null: never. */
  readonly staleRunAfterMs?: number | null;
}

/** An http(s) URL with a path, like every SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function checkQueueUrl(queueUrl: string, from = 'the queue URL'): void {
  let url: URL | undefined;
  try {
    url = new URL(queueUrl);
  } catch {
    url = undefined;
  }
  if (queueUrl.trim() === '') throw new UserError(`${from} is empty; give the queue's URL, like https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks`);
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname.replace(/\/+$/, '') === '') {
    throw new UserError(`${from} ${queueUrl} is not a queue URL like https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks`);
  }
}

export async function fanOutToQueue(request: RunRequest, hour: Hour, options: FanOutHourOptions): Promise<FanOutReport> {
  checkQueueUrl(options.queueUrl, options.queueFrom);
  checkLocations(request.source, request.lake, request.layout);
  await (await openLakeStorage(request.lake)).assertWritable();
  const lake = await openObjectStore(request.lake);
  let client: SQSClient | undefined;
  const sqs: SqsSender = options.sqs ?? (client = createSqsClient(options.queueUrl));
  try {
    return await fanOutHour({
      request,
      hour,
      queueUrl: options.queueUrl,
      sqs,
      lake,
      replace: options.replace ?? false,
      trigger: 'manual',
      ...(options.staleRunAfterMs === undefined ? {} : { staleRunAfterMs: options.staleRunAfterMs }),
      ...(options.onPlanned ? { onPlanned: options.onPlanned } : {}),
    });
  } finally {
    // Its sockets closed, so the command ends when its work does.
    client?.destroy();
  }
}
