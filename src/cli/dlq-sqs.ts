/**
 * `eventlake dlq list|show|replay --queue-url URL` (or EVENTLAKE_DLQ_URL): the dead letters of the
 * cloud's task queue on SQS, beside the local queue's (dlq-command.ts). Parsing and printing
 * only; the work is in src/runtime/lambda/sqs-dead-letters.ts. The lake (--lake, or lake.path)
 * holds the runs' records.
 */
import { UserError } from '../errors/user-error.js';
import type { SqsDeadLetter } from '../runtime/lambda/sqs-dead-letters.js';
import { parseLocation } from '../storage/location.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { loadSettings } from './settings.js';

export const DLQ_URL_ENV = 'EVENTLAKE_DLQ_URL';

export interface SqsDlqOptions {
  readonly queueUrl: string;
  readonly lake?: string;
  /** Where `replay` sends the message; the dead-letter queue's source queue by default. */
  readonly taskQueueUrl?: string;
}

interface Opened {
  readonly sqs: import('@aws-sdk/client-sqs').SQSClient;
  readonly lake: ObjectStore;
  readonly dlq: typeof import('../runtime/lambda/sqs-dead-letters.js');
}

/** The SQS client for the queue and the lake's store; the AWS SDK is loaded only here. */
async function open(global: GlobalOptions, opts: SqsDlqOptions): Promise<Opened> {
  let url: URL | undefined;
  try {
    url = new URL(opts.queueUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol)) {
    throw new UserError(`the dead-letter queue ${JSON.stringify(opts.queueUrl)} is not a queue URL like https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks-dlq`);
  }
  const settings = await loadSettings(global, opts.lake === undefined ? {} : { lake: opts.lake });
  const lake = await openObjectStore(parseLocation(settings.target.lake, opts.lake === undefined ? 'lake.path' : '--lake'));
  const { createSqsClient } = await import('../runtime/lambda/sqs-batches.js');
  return { sqs: createSqsClient(opts.queueUrl, process.env), lake, dlq: await import('../runtime/lambda/sqs-dead-letters.js') };
}

async function withQueue<T>(global: GlobalOptions, opts: SqsDlqOptions, work: (o: Opened) => Promise<T>): Promise<T> {
  const opened = await open(global, opts);
  try {
    return await work(opened);
  } finally {
    opened.sqs.destroy();
  }
}

function describeLetter(d: SqsDeadLetter): string {
  const what = d.task ? `${d.task.runId}  ${d.task.taskId}` : `not an eventlake task: ${d.invalid ?? ''}`;
  const run = d.run ? `\n      run ${d.run.status}${d.run.error ? `: ${d.run.error}` : ''}` : d.task ? '\n      run: no record in the lake' : '';
  return `${d.id}  ${what}  ${d.receiveCount} receives${d.sentAt ? `  sent ${d.sentAt}` : ''}${run}`;
}

export async function listSqsDeadLetters(global: GlobalOptions, opts: SqsDlqOptions): Promise<void> {
  const read = await withQueue(global, opts, ({ sqs, lake, dlq }) => dlq.readDeadLetters(sqs, opts.queueUrl, lake));
  printResult(global, { queueUrl: opts.queueUrl, deadLetters: read.letters, failedRuns: read.failedRuns }, () =>
    [
      read.letters.length ? read.letters.map(describeLetter).join('\n') : `no dead letters in ${opts.queueUrl}`,
      ...read.failedRuns.map((runId) => `run ${runId} was still queued: marked failed (its task is dead-lettered)`),
    ].join('\n'),
  );
}

export async function showSqsDeadLetter(global: GlobalOptions, opts: SqsDlqOptions, id: string): Promise<void> {
  const letter = await withQueue(global, opts, ({ sqs, lake, dlq }) => dlq.readDeadLetter(sqs, opts.queueUrl, lake, id));
  printResult(global, { queueUrl: opts.queueUrl, deadLetter: letter }, () => [describeLetter(letter), `body: ${letter.body}`].join('\n'));
}

export async function replaySqsDeadLetter(global: GlobalOptions, opts: SqsDlqOptions, id: string): Promise<void> {
  const replayed = await withQueue(global, opts, async ({ sqs, lake, dlq }) => {
    const to = opts.taskQueueUrl ?? (await dlq.sourceQueueOf(sqs, opts.queueUrl));
    return dlq.replaySqsDeadLetter(sqs, opts.queueUrl, lake, id, to);
  });
  const task = replayed.letter.task;
  printResult(global, { queueUrl: opts.queueUrl, ...replayed }, () =>
    `dead letter ${id} (task ${task?.taskId ?? '?'} of run ${task?.runId ?? '?'}) sent again to ${replayed.taskQueueUrl} and deleted from ${opts.queueUrl}` +
    (replayed.reopened ? `; run ${task?.runId ?? '?'} is queued again` : ''),
  );
}
