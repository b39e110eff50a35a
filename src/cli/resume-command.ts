/** `eventlake resume`: finish the runs of this state whose process died or stopped. */
import { Command } from 'commander';
import { resumeRuns } from '../app/resume-runs.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, failIfAnyFailed, runJson } from './run-outcomes.js';
import { loadSettings } from './settings.js';

export function resumeCommand(global: () => GlobalOptions): Command {
  return new Command('resume').description('finish the runs no live process is working on (after a crash or kill -9)').action(async () => {
    const settings = await loadSettings(global());
    await withOrchestrator(settings, global(), (orchestrator) => resumeRuns(orchestrator, { maxRunning: settings.config.schedule.maxActiveRuns }), {
      report: (runs) => {
        printResult(global(), { runs: runs.map(runJson) }, () => (runs.length === 0 ? 'nothing to resume' : runs.map(describeRun).join('\n')));
        failIfAnyFailed(runs);
      },
    });
  });
}
