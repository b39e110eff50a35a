/** SQS events shaped as Lambda receives them from an SQS event source mapping. */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';

export function sqsEvent(bodies: readonly string[], queueArn = 'arn:aws:sqs:us-east-1:123456789012:eventlake-tasks'): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: randomUUID(),
      receiptHandle: `receipt-${i}-${randomUUID()}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

export function lambdaContext(remainingMs = 600_000): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'eventlake-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eventlake-test',
    memoryLimitInMB: '3008',
    awsRequestId: requestId,
    logGroupName: 'test',
    logStreamName: requestId,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
