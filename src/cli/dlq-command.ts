/**
 * `eventlake dlq list|show <id>|replay <id>`: the messages that failed their last attempt. With
 * `--queue-url` (or EVENTLAKE_DLQ_URL), the cloud task queue's dead-letter queue on SQS
 * (dlq-sqs.ts); without, the local queue's.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { replayDeadLetter } from '../app/replay-dead-letter.js';
import { UserError } from '../errors/user-error.js';
import type { DeadLetter } from '../orchestration/work-queue.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { DLQ_URL_ENV, listSqsDeadLetters, replaySqsDeadLetter, showSqsDeadLetter, type SqsDlqOptions } from './dlq-sqs.js';
import { QUEUE_URL_ENV } from './fanout-command.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, failIfAnyFailed, runJson } from './run-outcomes.js';
import { loadSettings } from './settings.js';
import { lakeOption } from './shared-options.js';

/** A local dead letter's id (a whole number), or an SQS message id (a UUID) for --queue-url. */
function deadLetterId(value: string): number | string {
  if (SQS_MESSAGE_ID.test(value)) return value.toLowerCase();
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a dead letter id is a whole number (eventlake dlq list shows them).');
  return n;
}

const SQS_MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id as the source it is for takes it, or one sentence. */
function idFor(id: number | string, sqs: boolean): void {
  if (sqs && typeof id === 'number') throw new UserError(`a dead letter on SQS is named by its message id, not ${id} (eventlake dlq list --queue-url … shows them)`);
  if (!sqs && typeof id === 'string') throw new UserError(`${id} is an SQS message id: add --queue-url (or set ${DLQ_URL_ENV}) for the cloud's dead letters`);
}

interface SqsFlags {
  readonly queueUrl?: string;
  readonly lake?: string;
  readonly taskQueueUrl?: string;
}

/** --queue-url and --lake: the SQS dead-letter queue and the lake holding its runs' records. */
function withSqsOptions(command: Command): Command {
  return command
    .addOption(new Option('--queue-url <url>', "the cloud task queue's SQS dead-letter queue (instead of the local queue's)").env(DLQ_URL_ENV))
    .addOption(lakeOption());
}

function sqsOptions(opts: SqsFlags): SqsDlqOptions {
  return { queueUrl: opts.queueUrl as string, ...(opts.lake === undefined ? {} : { lake: opts.lake }), ...(opts.taskQueueUrl === undefined ? {} : { taskQueueUrl: opts.taskQueueUrl }) };
}

function describeLetter(d: DeadLetter): string {
  return `${String(d.id).padStart(4)}  ${d.hour}  ${d.runId}  ${d.taskId ?? d.kind}  ${d.attempts} attempts  ${d.deadAt}${d.replayedAt ? `  replayed ${d.replayedAt}` : ''}\n      ${d.error}`;
}

export function dlqCommand(global: () => GlobalOptions): Command {
  const dlq = new Command('dlq').description('dead letters: tasks and publishes that failed their last attempt');
  withSqsOptions(dlq.command('list'))
    .description('dead letters not yet replayed (--all: those replayed too); on SQS, each still-queued run of a dead letter is marked failed')
    .option('--all', 'include replayed dead letters')
    .action(async (opts: { all?: boolean } & SqsFlags) => {
      if (opts.queueUrl) return listSqsDeadLetters(global(), sqsOptions(opts));
      const settings = await loadSettings(global());
      const letters = await withOrchestrator(settings, global(), (o) => o.state.queue.deadLetters({ includeReplayed: opts.all ?? false }), { readOnly: true });
      printResult(global(), { deadLetters: letters }, () => (letters.length ? letters.map(describeLetter).join('\n') : 'no dead letters'));
    });
  withSqsOptions(dlq.command('show'))
    .argument('<id>', 'dead letter id (on SQS: its message id)', deadLetterId)
    .description('one dead letter, its run and every attempt')
    .action(async (given: number | string, opts: SqsFlags) => {
      idFor(given, Boolean(opts.queueUrl));
      if (opts.queueUrl) return showSqsDeadLetter(global(), sqsOptions(opts), given as string);
      const id = given as number;
      const settings = await loadSettings(global());
      const shown = await withOrchestrator(settings, global(), async (o) => {
        const letter = await o.state.queue.deadLetter(id);
        if (!letter) throw new UserError(`no dead letter ${id} (eventlake dlq list shows them)`);
        const attempts = (await o.state.queue.attempts(letter.runId)).filter((a) => a.messageId === letter.messageId);
        const run = await o.state.runs.get(letter.runId);
        return { letter, attempts, run };
      }, { readOnly: true });
      printResult(global(), { deadLetter: shown.letter, attempts: shown.attempts, ...(shown.run ? { run: runJson(shown.run) } : {}) }, () =>
        [
          describeLetter(shown.letter),
          ...(shown.run ? [`run: ${describeRun(shown.run)}`] : []),
          'attempts:',
          ...shown.attempts.map((a) => `  ${a.attempt}  ${a.startedAt}  ${a.outcome}${a.error ? `: ${a.error}` : ''}`),
        ].join('\n'),
      );
    });
  withSqsOptions(dlq.command('replay'))
    .argument('<id>', 'dead letter id (on SQS: its message id)', deadLetterId)
    .addOption(new Option('--task-queue-url <url>', 'on SQS: the task queue to send it back to (default: the queue whose dead-letter queue it is)').env(QUEUE_URL_ENV))
    .description('run the dead message again and, once its run completes, publish the hour')
    .action(async (given: number | string, opts: SqsFlags) => {
      idFor(given, Boolean(opts.queueUrl));
      if (opts.queueUrl) return replaySqsDeadLetter(global(), sqsOptions(opts), given as string);
      const id = given as number;
      const settings = await loadSettings(global());
      await withOrchestrator(settings, global(), (o) => replayDeadLetter(o, id, { wait: true }), {
        report: (result) => {
          printResult(global(), { deadLetter: result.deadLetter, handedToScheduler: result.handedToScheduler, run: runJson(result.run) }, () =>
            result.handedToScheduler ? `dead letter ${id} queued again; the running scheduler takes it (run ${result.run.id})` : describeRun(result.run),
          );
          if (!result.handedToScheduler) failIfAnyFailed([result.run]);
        },
      });
    });
  return dlq;
}
