/** `eventlake run`: one hour of source objects → the lake. Parsing and printing only. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runHour, type RunReport } from '../app/run-hour.js';
import type { FormatName } from '../formats/lake-format.js';
import type { Hour } from '../pipeline/hour.js';
import { QUARANTINE } from '../pipeline/lake-layout.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { defaultWorkerCount } from '../runtime/worker-count.js';
import { openDebugLog, printResult, printWarnings, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { createProgress } from './progress-bar.js';
import { formatOption, hourOption, lakeOption, layoutOption, positiveInteger, sourceOption } from './shared-options.js';

export interface RunCommandOptions {
  readonly source: string;
  readonly lake: string;
  readonly hour: Hour;
  readonly layout: SourceLayout;
  readonly format: FormatName;
  readonly codec?: string;
  readonly workers: number;
  readonly targetFileMb: number;
}

export async function executeRun(options: RunCommandOptions, global: GlobalOptions): Promise<RunReport> {
  const log = openDebugLog(global.state);
  const progress = createProgress(`hour ${options.hour.label}`, !global.json);
  const started = performance.now();
  const source = resolve(options.source);
  const lake = resolve(options.lake);
  log.info({ hour: options.hour.label, source, lake, format: options.format }, 'run started');
  try {
    const report = await runHour(
      {
        source,
        lake,
        state: global.state,
        hour: options.hour,
        layout: options.layout,
        format: options.format,
        ...(options.codec === undefined ? {} : { codec: options.codec }),
        workers: options.workers,
        targetFileBytes: options.targetFileMb * 1024 * 1024,
      },
      {
        onPlanned: (plan) => {
          if (plan.skipped.length > 0) log.info({ runId: plan.runId, skipped: plan.skipped }, 'objects skipped for their names');
          if (global.debug) for (const s of plan.skipped) process.stderr.write(`skipped ${s.key}: ${s.reason}\n`);
        },
        onPhase: (phase) => progress.phase(phase === 'writing' ? `writing ${options.format}` : 'publishing'),
        onProgress: (done, total) => {
          const seconds = (performance.now() - started) / 1000;
          progress.update(done.objects, total.objects, { label: 'events/s', value: seconds > 0 ? done.events / seconds : 0 });
        },
      },
    );
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
    outputs: report.outputs,
    seconds: Number(report.seconds.toFixed(3)),
    ...(report.warnings ? { warnings: report.warnings } : {}),
  };
}

export function runCommand(global: () => GlobalOptions): Command {
  return new Command('run')
    .description('process one hour of source objects into the lake, replacing that hour')
    .addOption(sourceOption())
    .addOption(lakeOption())
    .addOption(hourOption())
    .addOption(layoutOption())
    .addOption(formatOption())
    .option('--codec <codec>', 'compression: zstd|snappy for parquet, deflate|snappy for avro')
    .option('--workers <n>', 'worker threads', positiveInteger('--workers'), defaultWorkerCount())
    .option('--target-file-mb <mb>', 'target size of a lake file, in MiB', positiveInteger('--target-file-mb'), 128)
    .action(async (opts: RunCommandOptions) => {
      const report = await executeRun(opts, global());
      printResult(global(), summaryJson(report), () => describeSummary(report, resolve(opts.lake)));
      printWarnings(report.warnings);
    });
}
