/** `eventlake state prune`: finished runs past the retention lose their manifest and queue messages, keeping their summary. */
import { Command, InvalidArgumentError } from 'commander';
import { DURATION_EXPECTED, formatDuration, parseDuration } from '../config/duration.js';
import { UserError } from '../errors/user-error.js';
import type { PruneResult } from '../orchestration/state-retention.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { withOrchestrator } from './orchestrator-session.js';
import { loadSettings } from './settings.js';

function olderThan(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError(`--older-than takes ${DURATION_EXPECTED} (got ${JSON.stringify(value)}).`);
  }
}

export function describePrune(result: PruneResult & { readonly dryRun: boolean; readonly olderThan: string }): string {
  const runs = `${formatCount(result.runs)} finished run${result.runs === 1 ? '' : 's'} older than ${result.olderThan}`;
  const what = `${formatCount(result.messages)} queue messages, ${formatCount(result.attempts)} attempts, ${formatBytes(result.bytes)} of plans and messages`;
  const kept = result.keptDeadLettered > 0 ? `; ${formatCount(result.keptDeadLettered)} with dead letters kept for replay` : '';
  return result.dryRun ? `would prune ${runs} (${what})${kept}; nothing changed (--dry-run)` : `pruned ${runs} (${what})${kept}; their summaries stay`;
}

export function stateCommand(global: () => GlobalOptions): Command {
  const state = new Command('state').description('the state folder: keep it from growing');
  state
    .command('prune')
    .description('finished runs older than the retention lose their plan and queue messages; their summaries stay (runs with dead letters are kept)')
    .option('--older-than <duration>', 'finished this long ago or more (default: retention.finishedRuns, 30d)', olderThan)
    .option('--dry-run', 'count what would go and change nothing')
    .action(async (opts: { olderThan?: number; dryRun?: boolean }) => {
      const settings = await loadSettings(global());
      const ms = opts.olderThan ?? settings.config.retention.finishedRunsMs;
      if (ms === null) throw new UserError('retention.finishedRuns is none (runs are kept forever): give --older-than, e.g. --older-than 30d');
      const dryRun = opts.dryRun ?? false;
      const finishedBefore = new Date(Date.now() - ms);
      const result = await withOrchestrator(settings, global(), (o) => o.state.retention.prune({ finishedBefore, dryRun }), { readOnly: true });
      const shown = { ...result, dryRun, olderThan: formatDuration(ms), finishedBefore: finishedBefore.toISOString() };
      printResult(global(), { prune: shown }, () => describePrune(shown));
    });
  return state;
}
