/** `eventlake dlq list|show <id>|replay <id>`: the messages that failed their last attempt. */
import { Command, InvalidArgumentError } from 'commander';
import { replayDeadLetter } from '../app/replay-dead-letter.js';
import { UserError } from '../errors/user-error.js';
import type { DeadLetter } from '../orchestration/work-queue.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, failIfAnyFailed, runJson } from './run-outcomes.js';
import { loadSettings } from './settings.js';

function deadLetterId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a dead letter id is a whole number (eventlake dlq list shows them).');
  return n;
}

function describeLetter(d: DeadLetter): string {
  return `${String(d.id).padStart(4)}  ${d.hour}  ${d.runId}  ${d.taskId ?? d.kind}  ${d.attempts} attempts  ${d.deadAt}${d.replayedAt ? `  replayed ${d.replayedAt}` : ''}\n      ${d.error}`;
}

export function dlqCommand(global: () => GlobalOptions): Command {
  const dlq = new Command('dlq').description('dead letters: tasks and publishes that failed their last attempt');
  dlq
    .command('list')
    .description('dead letters not yet replayed (--all: those replayed too)')
    .option('--all', 'include replayed dead letters')
    .action(async (opts: { all?: boolean }) => {
      const settings = await loadSettings(global());
      const letters = await withOrchestrator(settings, global(), (o) => o.state.queue.deadLetters({ includeReplayed: opts.all ?? false }), { readOnly: true });
      printResult(global(), { deadLetters: letters }, () => (letters.length ? letters.map(describeLetter).join('\n') : 'no dead letters'));
    });
  dlq
    .command('show')
    .argument('<id>', 'dead letter id', deadLetterId)
    .description('one dead letter, its run and every attempt')
    .action(async (id: number) => {
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
  dlq
    .command('replay')
    .argument('<id>', 'dead letter id', deadLetterId)
    .description('run the dead message again and, once its run completes, publish the hour')
    .action(async (id: number) => {
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
