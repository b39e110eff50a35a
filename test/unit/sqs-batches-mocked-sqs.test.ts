/**
 * Packing and sending messages with SendMessageBatch. No SQS is reachable here: the client is a
 * mocked sender standing for SQS, answering each call as the test scripts it.
 */
import { createHash } from 'node:crypto';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput, SendMessageBatchRequestEntry, BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  CALL_BUDGET_BYTES,
  MAX_MESSAGE_BYTES,
  createSqsClient,
  deduplicationId,
  regionOfQueueUrl,
  sendMessages,
  type OutgoingMessage,
  type SqsSender,
} from '../../src/runtime/lambda/sqs-batches.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks';
const FIFO_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks.fifo';

type Answer = (entries: SendMessageBatchRequestEntry[], call: number) => BatchResultErrorEntry[] | Error;

/** A mocked SQS: records every call's entries; `answer` says which entries fail (or that the call is refused). */
class MockedSqs implements SqsSender {
  readonly calls: SendMessageBatchRequestEntry[][] = [];
  readonly queues: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly answer: Answer = () => []) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const entries = command.input.Entries ?? [];
    this.calls.push(entries);
    this.queues.push(command.input.QueueUrl ?? '');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Answers on a later turn, so calls started together are in flight together.
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const failed = this.answer(entries, this.calls.length);
    if (failed instanceof Error) throw failed;
    const ids = new Set(failed.map((f) => f.Id));
    return {
      $metadata: {},
      Successful: entries.filter((e) => !ids.has(e.Id)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
      Failed: failed,
    };
  }
}

const messages = (n: number, bodyBytes = 20): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({ name: `task t${String(i).padStart(5, '0')}`, body: `${i}:`.padEnd(bodyBytes, 'x') }));

const noSleep = async (): Promise<void> => undefined;

/** The bodies SQS took, in the order given. */
function delivered(sqs: MockedSqs, failedEver: (e: SendMessageBatchRequestEntry, call: number) => boolean = () => false): string[] {
  return sqs.calls.flatMap((entries, i) => entries.filter((e) => !failedEver(e, i + 1)).map((e) => e.MessageBody ?? ''));
}

function callBytes(entries: readonly SendMessageBatchRequestEntry[]): number {
  return entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0);
}

describe('sendMessages (mocked SQS)', () => {
  it('sends 25 messages in 3 calls of at most 10, every message once, entry ids unique within each call', async () => {
    const sqs = new MockedSqs();
    const sent = messages(25);
    expect(await sendMessages(sqs, sent, { queueUrl: QUEUE })).toEqual({ messages: 25, calls: 3, retried: 0 });
    expect(sqs.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    for (const call of sqs.calls) expect(new Set(call.map((e) => e.Id)).size).toBe(call.length);
    expect(delivered(sqs).sort()).toEqual(sent.map((m) => m.body).sort());
    expect(sqs.queues).toEqual([QUEUE, QUEUE, QUEUE]);
    // A standard queue gets no FIFO fields.
    expect(sqs.calls.flat().some((e) => e.MessageGroupId !== undefined || e.MessageDeduplicationId !== undefined)).toBe(false);
  });

  it('splits calls at the byte limit, keeping a margin under 256 KiB, with fewer than 10 entries', async () => {
    const sqs = new MockedSqs();
    const sent = messages(5, 100_000);
    expect(await sendMessages(sqs, sent, { queueUrl: QUEUE })).toEqual({ messages: 5, calls: 3, retried: 0 });
    expect(sqs.calls.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const call of sqs.calls) expect(callBytes(call)).toBeLessThanOrEqual(CALL_BUDGET_BYTES);
    expect(CALL_BUDGET_BYTES).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(delivered(sqs)).toEqual(sent.map((m) => m.body));
  });

  it('counts attributes with the body: two messages that fit by their bodies alone go in two calls with their attributes', async () => {
    const half = Math.floor(CALL_BUDGET_BYTES / 2);
    const bare = new MockedSqs();
    await sendMessages(bare, messages(2, half), { queueUrl: QUEUE });
    expect(bare.calls.map((c) => c.length)).toEqual([2]);
    const withAttributes = new MockedSqs();
    const attributed = messages(2, half).map((m) => ({ ...m, attributes: { run: { DataType: 'String', StringValue: 'r-1' } } }));
    await sendMessages(withAttributes, attributed, { queueUrl: QUEUE });
    expect(withAttributes.calls.map((c) => c.length)).toEqual([1, 1]);
    expect(withAttributes.calls[0]?.[0]?.MessageAttributes).toEqual({ run: { DataType: 'String', StringValue: 'r-1' } });
  });

  it('sends a message of exactly 256 KiB alone, and refuses one byte more in one sentence naming the task, sending nothing', async () => {
    const alone = new MockedSqs();
    await sendMessages(alone, [...messages(1), { name: 'task t00001', body: 'y'.repeat(MAX_MESSAGE_BYTES) }, ...messages(1)], { queueUrl: QUEUE });
    expect(alone.calls.map((c) => c.length)).toEqual([1, 1, 1]);

    const sqs = new MockedSqs();
    const sent = [...messages(3), { name: 'task t00003 of run 2019-06-01T15-abc', body: 'z'.repeat(MAX_MESSAGE_BYTES + 1) }];
    await expect(sendMessages(sqs, sent, { queueUrl: QUEUE })).rejects.toThrow(
      /^the message for task t00003 of run 2019-06-01T15-abc is 262,145 bytes, over SQS's limit of 262,144 bytes \(256 KiB\) for one message$/,
    );
    expect(sqs.calls).toEqual([]);
  });

  it('sends again only the entries SQS reported failed, after a backoff, until they succeed', async () => {
    const sqs = new MockedSqs((entries, call) =>
      call === 1 ? entries.filter((e) => e.Id === '2' || e.Id === '5').map((e) => ({ Id: e.Id, Code: 'ServiceUnavailable', SenderFault: false })) : [],
    );
    const waits: number[] = [];
    const sent = messages(8);
    const counts = await sendMessages(sqs, sent, { queueUrl: QUEUE, baseDelayMs: 50, sleep: async (ms) => void waits.push(ms) });
    expect(counts).toEqual({ messages: 8, calls: 2, retried: 2 });
    expect(sqs.calls[1]?.map((e) => e.Id)).toEqual(['2', '5']);
    expect(sqs.calls[1]?.map((e) => e.MessageBody)).toEqual([sent[2]?.body, sent[5]?.body]);
    expect(waits).toEqual([50]);
    // Every message reached the queue exactly once.
    expect(delivered(sqs, (e, call) => call === 1 && (e.Id === '2' || e.Id === '5')).sort()).toEqual(sent.map((m) => m.body).sort());
  });

  it('gives up on an entry that keeps failing after a bounded number of sends with doubling waits, and says how many and why', async () => {
    const sqs = new MockedSqs((entries) => entries.filter((e) => e.Id === '3').map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again later', SenderFault: false })));
    const waits: number[] = [];
    await expect(sendMessages(sqs, messages(12), { queueUrl: QUEUE, maxAttempts: 4, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) })).rejects.toThrow(
      `1 of 12 messages could not be sent to the queue ${QUEUE}; the first reason: InternalError: try again later`,
    );
    expect(waits).toEqual([100, 200, 400]);
    // The first call of 10 plus three resends of the one entry, and the call of the last 2.
    expect(sqs.calls.map((c) => c.length).sort()).toEqual([1, 1, 1, 10, 2].sort());
  });

  it('does not send again a message SQS refused as the sender\'s fault', async () => {
    const sqs = new MockedSqs((entries) => entries.filter((e) => e.Id === '0').map((e) => ({ Id: e.Id, Code: 'InvalidMessageContents', Message: 'bad character', SenderFault: true })));
    await expect(sendMessages(sqs, messages(3), { queueUrl: QUEUE, sleep: noSleep })).rejects.toThrow(/^1 of 3 messages could not be sent .*: InvalidMessageContents: bad character$/);
    expect(sqs.calls.length).toBe(1);
  });

  it('stops starting calls once one is refused as a whole, and counts every message not sent', async () => {
    const refusal = Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' });
    const sqs = new MockedSqs(() => refusal);
    await expect(sendMessages(sqs, messages(45), { queueUrl: QUEUE, concurrency: 1 })).rejects.toThrow(
      `45 of 45 messages could not be sent to the queue ${QUEUE}; the first reason: QueueDoesNotExist: The specified queue does not exist.`,
    );
    expect(sqs.calls.length).toBe(1);
  });

  it('keeps at most 4 calls in flight, and uses all 4', async () => {
    const sqs = new MockedSqs();
    expect((await sendMessages(sqs, messages(95), { queueUrl: QUEUE })).calls).toBe(10);
    expect(sqs.maxInFlight).toBe(4);
  });

  it('on a FIFO queue, groups by the hour and deduplicates by run and task, hashing a key too long for SQS', async () => {
    const sqs = new MockedSqs();
    const long = `2019-06-01T15-${'r'.repeat(120)}-t00001`;
    await sendMessages(
      sqs,
      [
        { name: 'task t00000', body: 'a', deduplicationKey: '2019-06-01T15-ab12cd34-t00000' },
        { name: 'task t00001', body: 'b', deduplicationKey: long },
      ],
      { queueUrl: FIFO_QUEUE, groupId: '2019-06-01T15' },
    );
    const [first, second] = sqs.calls[0] ?? [];
    expect(first).toMatchObject({ MessageGroupId: '2019-06-01T15', MessageDeduplicationId: '2019-06-01T15-ab12cd34-t00000' });
    expect(second?.MessageGroupId).toBe('2019-06-01T15');
    expect(second?.MessageDeduplicationId).toBe(createHash('sha256').update(long).digest('hex'));
    expect(deduplicationId('x'.repeat(128))).toBe('x'.repeat(128));
    expect(deduplicationId('x'.repeat(129))).toHaveLength(64);
    await expect(sendMessages(sqs, messages(1), { queueUrl: FIFO_QUEUE })).rejects.toThrow(/message group/);
  });
});

describe('createSqsClient', () => {
  it('signs for the region the queue URL names, whatever AWS_REGION says', async () => {
    const client = createSqsClient(QUEUE, { AWS_REGION: 'us-east-1' });
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
    expect(regionOfQueueUrl('https://eu-central-1.queue.amazonaws.com/1/q')).toBe('eu-central-1');
    expect(regionOfQueueUrl('http://127.0.0.1:4566/000000000000/q')).toBeUndefined();
  });

  it('talks to AWS_ENDPOINT_URL_SQS (before AWS_ENDPOINT_URL) in the region of AWS_REGION', async () => {
    const client = createSqsClient('http://127.0.0.1:4566/000000000000/q', {
      AWS_REGION: 'eu-north-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
    });
    expect(await client.config.region()).toBe('eu-north-1');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 4566 });
    client.destroy();
  });
});
