/** `eventlake status`: recent runs, running tasks, dead letters, deadline misses, alerts, deliveries. */
import { Command } from 'commander';
import { stateStatus, type StateStatus } from '../app/state-status.js';
import { parseOwner } from '../orchestration/process-identity.js';
import { isS3Location } from '../storage/location.js';
import type { SchedulerPresence } from '../orchestration/scheduler-state.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, runJson } from './run-outcomes.js';
import { loadSettings } from './settings.js';
import { lakeOption, positiveInteger } from './shared-options.js';

/** How long ago `at` was, as a person reads it: `0.4 s`, `12 s`, `3 min`, `2 h`. */
export function ago(at: string, nowMs: number): string {
  const seconds = Math.max(0, (nowMs - Date.parse(at)) / 1000);
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** One line per live scheduler: who, since when, and how far its loop has got (a stalled one shows an old last tick). */
export function describeScheduler(x: SchedulerPresence, nowMs: number): string {
  const ticks = `${x.ticks} tick${x.ticks === 1 ? '' : 's'}`;
  const last = x.lastTickAt === undefined ? 'none yet' : `last ${ago(x.lastTickAt, nowMs)} ago`;
  const checks = `${x.lateChecks} late-data check${x.lateChecks === 1 ? '' : 's'}`;
  return `scheduler: running as process ${parseOwner(x.owner)?.pid ?? x.owner} since ${x.since} (lake ${x.lake}), ${ticks}, ${last}, ${checks}`;
}

export function describeStatus(s: StateStatus, nowMs = Date.now()): string {
  const lines = [`state ${s.state}`];
  lines.push(
    s.schedulers.length === 0
      ? 'scheduler: not running (eventlake up starts it)'
      : s.schedulers.map((x) => describeScheduler(x, nowMs)).join('\n'),
  );
  lines.push('', `runs (newest first):`, ...(s.runs.length ? s.runs.map((r) => `  ${describeRun(r)}`) : ['  none yet']));
  if (s.runningTasks.length) {
    lines.push('', 'running tasks:', ...s.runningTasks.map((m) => `  ${m.runId} ${m.kind === 'task' ? m.task?.id : 'finish'} attempt ${m.attempts}`));
  }
  lines.push('', 'dead letters:', ...(s.deadLetters.length ? s.deadLetters.map((d) => `  ${d.id}  ${d.hour}  ${d.runId} ${d.taskId ?? d.kind}: ${d.error}`) : ['  none']));
  lines.push('', 'deadline misses:', ...(s.deadlineMisses.length ? s.deadlineMisses.map((e) => `  ${e.at}  ${e.hour ?? ''}  ${String(e.payload['deadline'])} deadline ${String(e.payload['deadlineAt'])} (run ${e.runId ?? '?'})`) : ['  none']));
  if (s.alerts.length) lines.push('', 'alerts:', ...s.alerts.map((e) => `  ${e.at}  ${e.kind}  ${e.hour ?? ''}  run ${e.runId ?? '?'}`));
  if (s.deliveries.length) {
    lines.push('', 'callback deliveries:', ...s.deliveries.map((d) => `  ${d.createdAt}  ${d.event} → ${d.callback}: ${d.status}${d.error ? ` (${d.error})` : ''}`));
  }
  if (s.lakeRuns.length) {
    lines.push(
      '',
      'cloud runs recorded in the lake (newest first):',
      ...s.lakeRuns.map((r) => `  ${r.hour}  ${r.status.padEnd(7)}  ${r.runId}  ${r.tasksDone}/${r.tasks} tasks, ${r.objects} objects${r.events ? `, ${Object.entries(r.events).map(([e, n]) => `${n} ${e}`).join(', ')}` : ''}${r.error ? `: ${r.error}` : ''}`),
    );
  }
  return lines.join('\n');
}

export function statusCommand(global: () => GlobalOptions): Command {
  return new Command('status')
    .description('recent runs, running tasks, dead letters, deadline misses and callback deliveries')
    .option('--limit <n>', 'how many of each to show', positiveInteger('--limit'), 20)
    .addOption(lakeOption())
    .action(async (opts: { limit: number; lake?: string }) => {
      const settings = await loadSettings(global(), opts.lake === undefined ? {} : { lake: opts.lake });
      // A bucket lake keeps its runs' records in the lake (the cloud runtime has no local state):
      // its status is read there, with this machine's state, made empty if there is none yet.
      const readOnly = !isS3Location(settings.target.lake);
      const status = await withOrchestrator(settings, global(), (orchestrator) => stateStatus(orchestrator, settings.target.lake, opts.limit), { readOnly });
      printResult(global(), { ...status, runs: status.runs.map(runJson) }, () => describeStatus(status));
    });
}
