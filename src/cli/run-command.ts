/** `eventlake run`: one hour of source objects → the lake. Parsing and printing only. */
import { Command } from 'commander';
import type { Orchestrator, RunTarget } from '../app/orchestrator.js';
import { runHour, type RunReport } from '../app/run-hour.js';
import type { Hour } from '../pipeline/hour.js';
import { QUARANTINE } from '../pipeline/lake-layout.js';
import { openDebugLog, printResult, printWarnings, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { createProgress } from './progress-bar.js';
import { withOrchestrator } from './orchestrator-session.js';
import { loadSettings, type TargetFlags } from './settings.js';
import { hourOption, targetOptions } from './shared-options.js';

export interface RunCommandOptions extends TargetFlags {
  readonly hour: Hour;
}

export async function executeRun(orchestrator: Orchestrator, target: RunTarget, hour: Hour, global: GlobalOptions): Promise<RunReport> {
  const log = openDebugLog(orchestrator.stateDir);
  const progress = createProgress(`hour ${hour.label}`, !global.json);
  const started = performance.now();
  log.info({ hour: hour.label, source: target.source, lake: target.lake, format: target.format }, 'run started');
  try {
    const report = await runHour(orchestrator, target, hour, {
      onPlanned: (plan) => {
        if (plan.skipped.length > 0) log.info({ runId: plan.runId, skipped: plan.skipped }, 'objects skipped for their names');
        if (global.debug) for (const s of plan.skipped) process.stderr.write(`skipped ${s.key}: ${s.reason}\n`);
      },
      onPhase: (phase) => progress.phase(phase === 'writing' ? `writing ${target.format}` : 'publishing'),
      onProgress: (done, total) => {
        const seconds = (performance.now() - started) / 1000;
        progress.update(done.objects, total.objects, { label: 'events/s', value: seconds > 0 ? done.events / seconds : 0 });
      },
    });
    log.info({ ...report, skipped: report.skipped.length }, 'run finished');
    return report;
  } finally {
    progress.stop();
  }
}

export function describeSummary(report: RunReport, lake: string): string {
  const lines = [
    `hour ${report.hour}: ${formatCount(report.objects)} objects (${formatBytes(report.bytes)}) in ${report.seconds.toFixed(2)} s`,
  ];
  const names = new Set([...Object.keys(report.events), ...report.outputs.map((o) => o.entity)]);
  for (const name of names) {
    const files = report.outputs.filter((o) => o.entity === name);
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    const rows = name === QUARANTINE ? report.quarantined : (report.events[name] ?? 0);
    lines.push(`  ${name.padEnd(18)} ${formatCount(rows).padStart(12)} ${name === QUARANTINE ? 'lines' : 'rows '}  ${files.length} file${files.length === 1 ? '' : 's'}  ${formatBytes(bytes)}`);
  }
  if (report.quarantined === 0) lines.push('  no line quarantined');
  if (report.poorQuality) lines.push(`  quality: ${(report.quarantinedShare * 100).toFixed(2)}% of lines quarantined, over the threshold (a quality event was recorded)`);
  if (report.skipped.length > 0) {
    lines.push(`  skipped ${formatCount(report.skipped.length)} object${report.skipped.length === 1 ? '' : 's'} for their names (--debug lists them)`);
  }
  lines.push(`lake: ${lake}`);
  return lines.join('\n');
}

/** The `--json` shape promised in the README. */
export function summaryJson(report: RunReport): Record<string, unknown> {
  return {
    runId: report.runId,
    hour: report.hour,
    objects: report.objects,
    skipped: report.skipped.length,
    events: report.events,
    quarantined: report.quarantined,
    ...(report.poorQuality ? { poorQuality: true, quarantinedShare: report.quarantinedShare } : {}),
    outputs: report.outputs,
    seconds: Number(report.seconds.toFixed(3)),
    ...(report.warnings ? { warnings: report.warnings } : {}),
  };
}

export function runCommand(global: () => GlobalOptions): Command {
  const command = new Command('run').description('process one hour of source objects into the lake, replacing that hour; recorded in the state');
  for (const option of targetOptions()) command.addOption(option);
  return command.addOption(hourOption()).action(async (opts: RunCommandOptions) => {
    const settings = await loadSettings(global(), opts);
    await withOrchestrator(settings, global(), (orchestrator) => executeRun(orchestrator, settings.target, opts.hour, global()), {
      checkTarget: true,
      report: (report) => {
        printResult(global(), summaryJson(report), () => describeSummary(report, settings.target.lake));
        printWarnings(report.warnings);
      },
    });
  });
}
