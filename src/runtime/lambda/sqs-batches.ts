/**
 * Sending many messages to one SQS queue with SendMessageBatch: packed into calls SQS accepts,
 * a few calls in flight, the entries SQS reports as failed sent again, then one sentence for
 * what could still not be sent.
 */
import { createHash } from 'node:crypto';
import {
  SendMessageBatchCommand,
  SQSClient,
  type MessageAttributeValue,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { UserError } from '../../errors/user-error.js';

/** SQS's limits for one SendMessageBatch call and for one message. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_MESSAGE_BYTES = 262_144;
/**
 * Calls are packed to 4 KiB under the limit: SQS's own count of attribute bytes is documented
 * loosely, and a call refused as too long would fail all ten of its messages at once.
 */
export const CALL_BUDGET_BYTES = MAX_MESSAGE_BYTES - 4096;
/** FIFO deduplication ids are at most 128 characters of ASCII punctuation and alphanumerics. */
const DEDUPLICATION_ID = /^[\x21-\x7e]{1,128}$/;

export interface OutgoingMessage {
  /** What the message is, for errors (a task id). */
  readonly name: string;
  readonly body: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
  /** On a FIFO queue: what makes two sends the same message (the run and the task). */
  readonly deduplicationKey?: string;
}

/** What sends the calls: an SQSClient, or a double standing for one in tests. */
export interface SqsSender {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}

export interface SendOptions {
  readonly queueUrl: string;
  /** On a FIFO queue (URL ending in `.fifo`): the message group of every message. */
  readonly groupId?: string;
  /** Calls in flight at once. */
  readonly concurrency?: number;
  /** Sends of one entry in all, the first included. */
  readonly maxAttempts?: number;
  /** The wait before the first resend, doubled before each next one. */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SendCounts {
  readonly messages: number;
  readonly calls: number;
  /** Entries sent again after SQS reported them failed. */
  readonly retried: number;
}

/** One SQS client for the queue: region and endpoint from the standard environment, credentials from the default chain. */
export function createSqsClient(queueUrl: string, env: NodeJS.ProcessEnv = process.env): SQSClient {
  const endpoint = env['AWS_ENDPOINT_URL_SQS'] ?? env['AWS_ENDPOINT_URL'];
  // An AWS queue URL names its region; the client must sign for that region whatever the profile says.
  const region = (endpoint === undefined ? regionOfQueueUrl(queueUrl) : undefined) ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  return new SQSClient({ ...(region === undefined ? {} : { region }), ...(endpoint === undefined ? {} : { endpoint }) });
}

/** `https://sqs.eu-west-1.amazonaws.com/…` (or the older `eu-west-1.queue.amazonaws.com`) → `eu-west-1`. */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname;
  } catch {
    return undefined;
  }
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}

export function isFifoQueue(queueUrl: string): boolean {
  return queueUrl.endsWith('.fifo');
}

/** The deduplication id SQS accepts for a key: the key itself, or its SHA-256 when too long or not plain ASCII. */
export function deduplicationId(key: string): string {
  return DEDUPLICATION_ID.test(key) ? key : createHash('sha256').update(key).digest('hex');
}

/** The bytes SQS counts for a message: its body and each attribute's name, type and value. */
export function messageBytes(message: Pick<OutgoingMessage, 'body' | 'attributes'>): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += value.StringValue === undefined ? 0 : Buffer.byteLength(value.StringValue);
    bytes += value.BinaryValue === undefined ? 0 : value.BinaryValue.byteLength;
  }
  return bytes;
}

/** Indexes of the messages, cut into calls of at most ten entries and the byte budget (a message alone may use the whole limit). */
export function packCalls(sizes: readonly number[]): number[][] {
  const calls: number[][] = [];
  let call: number[] = [];
  let bytes = 0;
  sizes.forEach((size, index) => {
    if (call.length > 0 && (call.length === MAX_ENTRIES_PER_CALL || bytes + size > CALL_BUDGET_BYTES)) {
      calls.push(call);
      call = [];
      bytes = 0;
    }
    call.push(index);
    bytes += size;
  });
  if (call.length > 0) calls.push(call);
  return calls;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` on every item with at most `limit` running at once; stops starting new ones once `stopped()`. */
async function inPool<T>(items: readonly T[], limit: number, stopped: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped()) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function sendMessages(sqs: SqsSender, messages: readonly OutgoingMessage[], options: SendOptions): Promise<SendCounts> {
  const { queueUrl, concurrency = 4, maxAttempts = 5, baseDelayMs = 200, sleep = defaultSleep } = options;
  const fifo = isFifoQueue(queueUrl);
  if (fifo && options.groupId === undefined) throw new Error(`a message group is needed to send to the FIFO queue ${queueUrl}`);
  const sizes = messages.map((message) => {
    const bytes = messageBytes(message);
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new UserError(`the message for ${message.name} is ${bytes.toLocaleString('en-US')} bytes, over SQS's limit of ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes (256 KiB) for one message`);
    }
    return bytes;
  });
  // Entry ids are the messages' positions: unique within any call, and they lead back to the message.
  const entry = (index: number): SendMessageBatchRequestEntry => {
    const message = messages[index] as OutgoingMessage;
    return {
      Id: String(index),
      MessageBody: message.body,
      ...(message.attributes ? { MessageAttributes: message.attributes } : {}),
      ...(fifo
        ? { MessageGroupId: options.groupId, MessageDeduplicationId: deduplicationId(message.deduplicationKey ?? message.name) }
        : {}),
    };
  };
  let calls = 0;
  let retried = 0;
  const sent = new Set<number>();
  /** Why each message not sent (yet) was refused the last time. */
  const reasons = new Map<number, string>();
  // A call refused as a whole (no such queue, no permission) would be refused again: no new calls start.
  let refused = false;
  const sendCall = async (indexes: readonly number[]): Promise<void> => {
    let pending = indexes;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        await sleep(baseDelayMs * 2 ** (attempt - 2));
        retried += pending.length;
      }
      calls++;
      let output: SendMessageBatchCommandOutput;
      try {
        output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map(entry) }));
      } catch (err) {
        refused = true;
        for (const index of pending) reasons.set(index, reasonOf(err));
        return;
      }
      const failed = new Map((output.Failed ?? []).map((f) => [f.Id, f]));
      const again: number[] = [];
      for (const index of pending) {
        const f = failed.get(String(index));
        if (f === undefined) {
          sent.add(index);
          continue;
        }
        reasons.set(index, `${f.Code ?? 'failed'}${f.Message ? `: ${f.Message}` : ''}`);
        // A sender fault (a message SQS will never take) is not sent again.
        if (f.SenderFault !== true) again.push(index);
      }
      pending = attempt < maxAttempts ? again : [];
    }
  };
  await inPool(packCalls(sizes), concurrency, () => refused, sendCall);
  const unsent = messages.map((_, index) => index).filter((index) => !sent.has(index));
  if (unsent.length > 0) {
    const reason = reasons.get(unsent[0] as number) ?? 'not sent after an earlier call was refused';
    throw new UserError(`${unsent.length} of ${messages.length} messages could not be sent to the queue ${queueUrl}; the first reason: ${reason}`);
  }
  return { messages: messages.length, calls, retried };
}

/** An SDK error in one line: its name and message (neither holds credentials). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const message = err.message.split('\n')[0] ?? '';
  return err.name && err.name !== 'Error' && !message.startsWith(err.name) ? `${err.name}: ${message}` : message;
}
