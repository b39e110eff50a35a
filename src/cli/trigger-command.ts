/** `eventlake trigger --hour H` and `eventlake backfill --from H1 --to H2`: runs asked for by hand. */
import { Command } from 'commander';
import { triggerHours, type TriggerResult } from '../app/trigger-hours.js';
import type { RunTrigger } from '../orchestration/run-store.js';
import { runnableHoursBetween } from '../orchestration/schedule/runnable-hours.js';
import type { Hour } from '../pipeline/hour.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { withOrchestrator } from './orchestrator-session.js';
import { createProgress } from './progress-bar.js';
import { describeRun, failIfAnyFailed, runJson } from './run-outcomes.js';
import { loadSettings, type TargetFlags } from './settings.js';
import { hourArgument, hourOption, targetOptions } from './shared-options.js';

/** `hoursIn` gives the hours once the source's time zone is known (a backfill walks them in it). */
async function runHours(hoursIn: (timezone: string) => readonly string[], trigger: RunTrigger, flags: TargetFlags, global: GlobalOptions): Promise<void> {
  const settings = await loadSettings(global, flags);
  const hours = hoursIn(settings.target.timezone);
  const progress = createProgress(hours.length === 1 ? `hour ${hours[0] ?? ''}` : `${hours.length} hours`, !global.json);
  let settled = 0;
  await withOrchestrator(settings, global, async (orchestrator) => {
    try {
      return await triggerHours(orchestrator, hours, settings.target, {
        trigger,
        maxRunning: settings.config.schedule.maxActiveRuns,
        observer: {
          onSettled: (run) => {
            if (run.status === 'success' || run.status === 'failed') progress.update(++settled, hours.length);
          },
        },
      });
    } finally {
      progress.stop();
    }
  }, { checkTarget: true, report: (result) => reportTriggered(result, global) });
}

function reportTriggered(result: TriggerResult, global: GlobalOptions): void {
  printResult(global, { handedToScheduler: result.handedToScheduler, runs: result.runs.map(runJson) }, () =>
    [
      ...result.runs.map(describeRun),
      ...(result.handedToScheduler ? [`queued for the running scheduler (eventlake up); eventlake status shows them`] : []),
    ].join('\n'),
  );
  // An hour already queued or running with other settings keeps its own: this command's were not used.
  for (const run of result.others) {
    process.stderr.write(`eventlake: hour ${run.hour} already had run ${run.id} queued or running with other settings; that run was used, not these flags\n`);
  }
  if (result.others.length > 0) process.exitCode = 1;
  if (!result.handedToScheduler) failIfAnyFailed(result.runs);
}

export function triggerCommand(global: () => GlobalOptions): Command {
  const command = new Command('trigger').description('run one hour now: queued for eventlake up if it runs on this state, else run here');
  for (const option of targetOptions()) command.addOption(option);
  return command.addOption(hourOption()).action(async (opts: TargetFlags & { hour: Hour }) => {
    await runHours(() => [opts.hour.label], 'manual', opts, global());
  });
}

export function backfillCommand(global: () => GlobalOptions): Command {
  const command = new Command('backfill').description('run every hour from --from to --to (inclusive), at most schedule.maxActiveRuns at a time');
  for (const option of targetOptions()) command.addOption(option);
  return command
    .requiredOption('--from <hour>', 'first hour, e.g. 2019-06-01T00', hourArgument)
    .requiredOption('--to <hour>', 'last hour, e.g. 2019-06-01T23', hourArgument)
    .action(async (opts: TargetFlags & { from: Hour; to: Hour }) => {
      await runHours((timezone) => runnableHoursBetween(opts.from.label, opts.to.label, timezone), 'backfill', opts, global());
    });
}
