/**
 * The task queue's dead letters on SQS, for `eventlake dlq … --queue-url`: read without taking
 * them (received with a short visibility, then made visible again at once), shown decoded (the
 * task message of ids and its run's record in the lake), replayed one at a time (sent back to the
 * task queue, then deleted from the dead-letter queue).
 *
 * Nothing consumes the dead-letter queue, so nothing else ends a run whose task landed there:
 * reading the dead letters marks each such run still `queued` failed, naming the task, so the
 * hour's next fan-out is not refused (the fan-out's stale-run sweep does it too, later).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { UserError } from '../../errors/user-error.js';
import { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import type { RunRecord } from '../../orchestration/run-store.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { parseTaskMessage, type TaskMessage } from './task-message.js';

/** What sends the calls: an SQSClient, or a mocked client recording them in tests. */
export interface SqsCaller {
  send(command: object): Promise<unknown>;
}

/** One dead letter as read: the message and what it is. */
export interface SqsDeadLetter {
  /** SQS's message id: what `show` and `replay` take. */
  readonly id: string;
  readonly receiveCount: number;
  /** When the message was first sent (to the task queue), ISO 8601. */
  readonly sentAt?: string;
  readonly body: string;
  /** The task it names, when it is an eventlake task message. */
  readonly task?: TaskMessage;
  /** Why it is not one, when it is not. */
  readonly invalid?: string;
  /** Its run's record in the lake, as it is after this read. */
  readonly run?: {
    readonly runId: string;
    readonly hour: string;
    readonly status: RunRecord['status'];
    readonly queuedAt: string;
    readonly finishedAt?: string;
    readonly error?: string;
  };
}

export interface DeadLetterRead {
  readonly letters: SqsDeadLetter[];
  /** Runs this read ended: those still queued whose task is here. */
  readonly failedRuns: string[];
}

/** How long read messages stay hidden while they are read, at most (they are made visible again at the end). */
const HOLD_SECONDS = 30;
/** Dead letters read at most by one command. */
export const MAX_DEAD_LETTERS = 1000;

interface Held {
  readonly message: Message;
  readonly receiptHandle: string;
}

/** Receives every message (up to `max`), hidden for HOLD_SECONDS; the caller releases them. */
async function receiveAll(sqs: SqsCaller, queueUrl: string, max: number): Promise<Held[]> {
  const held = new Map<string, Held>();
  for (;;) {
    const output = (await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: HOLD_SECONDS, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
    )) as { Messages?: Message[] };
    const messages = output.Messages ?? [];
    let fresh = 0;
    for (const message of messages) {
      if (message.MessageId === undefined || message.ReceiptHandle === undefined || held.has(message.MessageId)) continue;
      held.set(message.MessageId, { message, receiptHandle: message.ReceiptHandle });
      fresh++;
    }
    if (messages.length === 0 || fresh === 0 || held.size >= max) return [...held.values()];
  }
}

/** Makes the messages visible again at once (10 to a call). */
async function release(sqs: SqsCaller, queueUrl: string, held: readonly Held[]): Promise<void> {
  for (let i = 0; i < held.length; i += 10) {
    const entries = held.slice(i, i + 10).map((h, j) => ({ Id: String(i + j), ReceiptHandle: h.receiptHandle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}

function runView(record: RunRecord): NonNullable<SqsDeadLetter['run']> {
  return {
    runId: record.id,
    hour: record.hour,
    status: record.status,
    queuedAt: record.queuedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}

/** Decodes the messages and ends the runs still queued whose task they are. */
async function decode(lake: ObjectStore, queueUrl: string, held: readonly Held[]): Promise<DeadLetterRead> {
  const runs = new LakeRunStore(lake);
  const letters: SqsDeadLetter[] = [];
  const failedRuns: string[] = [];
  for (const { message } of held) {
    const body = message.Body ?? '';
    const attributes = message.Attributes ?? {};
    const sent = Number(attributes.SentTimestamp);
    const base = {
      id: message.MessageId as string,
      receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
      ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
      body,
    };
    let task: TaskMessage;
    try {
      task = parseTaskMessage(body);
    } catch (error) {
      letters.push({ ...base, invalid: (error as Error).message });
      continue;
    }
    let record = await runs.get(task.runId);
    if (record?.status === 'queued') {
      const error = `task ${task.taskId} was dead-lettered (in ${queueUrl}); eventlake dlq replay ${base.id} runs it again`;
      if (await runs.end(record.id, 'dead-letter queue', { status: 'failed', error })) {
        failedRuns.push(record.id);
        record = (await runs.get(record.id)) ?? record;
      }
    }
    letters.push({ ...base, task, ...(record ? { run: runView(record) } : {}) });
  }
  return { letters, failedRuns };
}

/** Every dead letter (up to `max`), decoded; the queue keeps them all. */
export async function readDeadLetters(sqs: SqsCaller, queueUrl: string, lake: ObjectStore, max = MAX_DEAD_LETTERS): Promise<DeadLetterRead> {
  const held = await receiveAll(sqs, queueUrl, max);
  try {
    return await decode(lake, queueUrl, held);
  } finally {
    await release(sqs, queueUrl, held);
  }
}

/** One dead letter by its message id; a sentence when the queue does not hold it. */
export async function readDeadLetter(sqs: SqsCaller, queueUrl: string, lake: ObjectStore, id: string): Promise<SqsDeadLetter> {
  const held = await receiveAll(sqs, queueUrl, MAX_DEAD_LETTERS);
  try {
    const found = held.filter((h) => h.message.MessageId === id);
    if (found.length === 0) throw notFound(id, queueUrl);
    return (await decode(lake, queueUrl, found)).letters[0] as SqsDeadLetter;
  } finally {
    await release(sqs, queueUrl, held);
  }
}

function notFound(id: string, queueUrl: string): UserError {
  return new UserError(`no dead letter ${id} in ${queueUrl} (eventlake dlq list --queue-url ${queueUrl} shows them)`);
}

/** The task queue whose dead-letter queue this is, as SQS knows it (its redrive policy names it). */
export async function sourceQueueOf(sqs: SqsCaller, queueUrl: string): Promise<string> {
  const output = (await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: queueUrl }))) as { queueUrls?: string[] };
  const sources = output.queueUrls ?? [];
  if (sources.length !== 1) {
    throw new UserError(
      `${queueUrl} is the dead-letter queue of ${sources.length === 0 ? 'no queue' : `${sources.length} queues (${sources.join(', ')})`}; name the task queue to replay to with --task-queue-url or EVENTLAKE_QUEUE_URL`,
    );
  }
  return sources[0] as string;
}

export interface Replayed {
  readonly letter: SqsDeadLetter;
  readonly taskQueueUrl: string;
  /** The run was failed (by this dead letter or as stale) and is queued again for the replay. */
  readonly reopened: boolean;
}

/**
 * Sends one dead letter back to the task queue and deletes it from the dead-letter queue. Its run
 * must be one a worker still works for: queued, or failed for a dead letter or as stale (then
 * queued again, with a fresh deadline), and no other run of the hour queued or published since.
 */
export async function replaySqsDeadLetter(sqs: SqsCaller, queueUrl: string, lake: ObjectStore, id: string, taskQueueUrl: string): Promise<Replayed> {
  const held = await receiveAll(sqs, queueUrl, MAX_DEAD_LETTERS);
  let deleted = false;
  try {
    const found = held.find((h) => h.message.MessageId === id);
    if (!found) throw notFound(id, queueUrl);
    const letter = (await decode(lake, queueUrl, [found])).letters[0] as SqsDeadLetter;
    if (!letter.task) throw new UserError(`dead letter ${id} is not an eventlake task (${letter.invalid ?? 'unreadable'}); it is not replayed`);
    const task = letter.task;
    const runs = new LakeRunStore(lake);
    const record = await runs.get(task.runId);
    if (!record) throw new UserError(`dead letter ${id} is task ${task.taskId} of run ${task.runId}, which has no record in ${lake.location}; it is not replayed`);
    const reopened = await reopenForReplay(runs, record, task);
    await sqs.send(new SendMessageCommand({ QueueUrl: taskQueueUrl, MessageBody: found.message.Body ?? '' }));
    // Deleted only once sent: a crash between the two leaves a duplicate, which the worker takes twice harmlessly.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: found.receiptHandle }));
    deleted = true;
    const after = await runs.get(record.id);
    return { letter: { ...letter, ...(after ? { run: runView(after) } : {}) }, taskQueueUrl, reopened };
  } finally {
    // The replayed message is deleted: only the others are made visible again.
    await release(sqs, queueUrl, deleted ? held.filter((h) => h.message.MessageId !== id) : held);
  }
}

/** Checks the run still wants the task; a failed run is queued again. Returns whether it was reopened. */
async function reopenForReplay(runs: LakeRunStore, record: RunRecord, task: TaskMessage): Promise<boolean> {
  const what = `task ${task.taskId} of run ${record.id}`;
  if (record.status === 'success') throw new UserError(`${what}: the run published hour ${record.hour} already; the replay would do nothing`);
  const others = (await runs.list({ hour: record.hour })).filter((r) => r.id !== record.id && r.queuedAt > record.queuedAt);
  const newer = others.find((r) => r.status !== 'failed');
  if (newer) throw new UserError(`${what}: hour ${record.hour} has a newer run ${newer.id} (${newer.status}); the replay would race it, so it is not replayed`);
  if (record.status === 'queued') return false;
  if (record.error?.startsWith('replaced by run')) throw new UserError(`${what}: the run was ${record.error}; it is not replayed`);
  // Queued again, with a fresh deadline for the stale-run sweep; how it had ended goes into the note.
  await runs.reopen(record.id, `queued again to replay ${task.taskId}`);
  return true;
}
