/**
 * How soon SQS delivers a failed task message again. The task queue's visibility timeout is six
 * times the function's (60 minutes in the stack, as AWS advises for an event source), which is
 * right for a message an invocation is still working on, but far too long a wait for a record
 * that failed in seconds: with 3 receives before the dead letters, a task stuck on a passing
 * fault would take 2–3 hours to be retried twice and dead-lettered. So a failed record's
 * visibility is set, by its receive count, to 30 s, then 2 min, then 8 min (each ×4, at most
 * 12 hours, SQS's limit): a passing fault is retried within a minute, a lasting one reaches the
 * dead-letter queue within minutes.
 *
 * One failure keeps the queue's own timeout: a close held by another invocation (hour-close.ts),
 * whose claim may stand until a minute past that invocation's timeout; the queue's timeout is
 * set past any claim, so the redelivery finds the hour published or the claim expired.
 */
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { KeepVisibilityError } from './keep-visibility-error.js';

/** The first retry's wait, and the factor each next one grows by. */
export const FIRST_RETRY_SECONDS = 30;
export const RETRY_FACTOR = 4;
/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/** What changes a message's visibility: an SQSClient, or a double recording the calls in tests. */
export interface VisibilityChanger {
  send(command: ChangeMessageVisibilityCommand): Promise<unknown>;
}

/** The wait before the next delivery of a message received `receiveCount` times (1 on its first delivery). */
export function retryDelaySeconds(receiveCount: number): number {
  const count = Number.isSafeInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  return Math.min(MAX_VISIBILITY_SECONDS, FIRST_RETRY_SECONDS * RETRY_FACTOR ** Math.min(count - 1, 10));
}

/**
 * A queue's URL from its ARN (`arn:aws:sqs:eu-west-1:123456789012:eventlake-tasks`), as the
 * record names it: AWS's endpoint for the region, or the `endpoint` given (AWS_ENDPOINT_URL_SQS).
 */
export function queueUrlOfArn(arn: string, endpoint?: string): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') throw new Error(`${JSON.stringify(arn)} is not an SQS queue ARN`);
  const [, partition, , region, account, name] = parts as [string, string, string, string, string, string];
  const base = endpoint?.replace(/\/+$/, '') ?? `https://sqs.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
  return `${base}/${account}/${name}`;
}

/**
 * Shortens the failed record's visibility by its receive count; returns the seconds set, or
 * undefined when the queue's own timeout stands (the error asks for it). A call SQS refuses is
 * the caller's to log: the record then waits the queue's timeout, as before.
 */
export async function backOffFailedRecord(sqs: VisibilityChanger, record: SQSRecord, error: unknown, endpoint?: string): Promise<number | undefined> {
  if (error instanceof KeepVisibilityError) return undefined;
  const seconds = retryDelaySeconds(Number(record.attributes?.ApproximateReceiveCount ?? '1'));
  await sqs.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: queueUrlOfArn(record.eventSourceARN, endpoint), ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }),
  );
  return seconds;
}
