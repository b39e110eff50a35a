/**
 * A failed task record's visibility is shortened by its receive count (30 s, 2 min, 8 min), so a
 * task reaches the dead-letter queue in minutes, not hours; SQS is a mocked client recording
 * the calls (no SQS can run here), the handler is called with the SQS event JSON Lambda passes.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../src/runtime/lambda/lambda-handler.js';
import { KeepVisibilityError } from '../../src/runtime/lambda/keep-visibility-error.js';
import { backOffFailedRecord, queueUrlOfArn, retryDelaySeconds } from '../../src/runtime/lambda/retry-visibility.js';
import { RecordingSqsClient } from '../helpers/recording-sqs-client.js';
import { lambdaContext, sqsEvent } from '../helpers/sqs-events.js';

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:eventlake-tasks';

function delivered(body: string, receiveCount: number): ReturnType<typeof sqsEvent> {
  const event = sqsEvent([body], ARN);
  const record = event.Records[0]!;
  return { Records: [{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) } }] };
}

describe('the visibility of a failed task (mocked SQS)', () => {
  it('waits 30 s, 2 min, then 8 min by the receive count, never past SQS\'s 12 hours', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([30, 120, 480, 1920]);
    expect(retryDelaySeconds(40)).toBe(12 * 60 * 60);
    expect(retryDelaySeconds(Number.NaN)).toBe(30);
  });

  it('finds the queue URL from the record\'s ARN, on AWS or the endpoint the environment names', () => {
    expect(queueUrlOfArn(ARN)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks');
    expect(queueUrlOfArn(ARN, 'http://127.0.0.1:9324/')).toBe('http://127.0.0.1:9324/123456789012/eventlake-tasks');
    expect(() => queueUrlOfArn('arn:aws:sns:eu-west-1:1:t')).toThrow('is not an SQS queue ARN');
  });

  it('the handler fails the record and sets its visibility to the backoff of its receive count on the record\'s own queue', async () => {
    const sqs = new RecordingSqsClient();
    const handler = createHandler(pino({ enabled: false }), { visibility: sqs, env: {} });
    for (const count of [1, 2, 3]) {
      const event = delivered('not json', count);
      const answer = (await handler(event, lambdaContext())) as { batchItemFailures: { itemIdentifier: string }[] };
      expect(answer.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
      expect(sqs.inputs('ChangeMessageVisibility').at(-1)).toEqual({
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks',
        ReceiptHandle: event.Records[0]!.receiptHandle,
        VisibilityTimeout: [30, 120, 480][count - 1],
      });
    }
    // Three failed deliveries, then the dead letters: about 2.5 minutes of waits, not the queue's 2 × 60.
    expect(sqs.inputs('ChangeMessageVisibility').map((i) => i['VisibilityTimeout'])).toEqual([30, 120, 480]);
  });

  it('a change SQS refuses is logged and the record still fails (the queue\'s timeout stands)', async () => {
    const sqs = new RecordingSqsClient({ ChangeMessageVisibility: () => Promise.reject(new Error('AccessDenied: not allowed')) });
    const lines: string[] = [];
    const handler = createHandler(pino({}, { write: (l: string) => void lines.push(l) }), { visibility: sqs, env: {} });
    const event = delivered('not json', 1);
    expect(((await handler(event, lambdaContext())) as { batchItemFailures: unknown[] }).batchItemFailures).toHaveLength(1);
    expect(lines.join('')).toContain("the failed task's visibility could not be shortened");
  });

  it('a close held by another invocation keeps the queue\'s own timeout (past any claim): no change is sent', async () => {
    const sqs = new RecordingSqsClient();
    const record = delivered('{}', 1).Records[0]!;
    expect(await backOffFailedRecord(sqs, record, new KeepVisibilityError('run R is not closed yet'))).toBeUndefined();
    expect(await backOffFailedRecord(sqs, record, new Error('S3 throttled'))).toBe(30);
    expect(sqs.inputs('ChangeMessageVisibility')).toHaveLength(1);
  });
});
