/** `eventlake run`: one hour of source objects → the lake. */
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../errors/user-error.js';
import { FORMAT_NAMES } from '../formats/lake-formats.js';
import type { FormatName } from '../formats/lake-format.js';
import { saveRunRecord } from '../orchestration/run-records.js';
import { parseHour, type Hour } from '../pipeline/hour.js';
import { defaultWorkerCount, runHour, type RunSummary } from '../pipeline/run-hour.js';
import { LocalLakeCommitter } from '../storage/local-lake-committer.js';
import { LocalObjectStore } from '../storage/local-object-store.js';
import { openDebugLog, printResult, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { createProgress } from './progress-bar.js';

export interface RunCommandOptions {
  readonly source: string;
  readonly lake: string;
  readonly hour: Hour;
  readonly format: FormatName;
  readonly codec?: string;
  readonly workers: number;
  readonly targetFileMb: number;
}

export function positiveInteger(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be a whole number of at least ${min}.`);
    return n;
  };
}

export function hourArgument(value: string): Hour {
  const hour = parseHour(value);
  if (!hour) throw new InvalidArgumentError('expected an hour like 2019-06-01T15.');
  return hour;
}

/** The lake folder must be creatable and writable before any work starts. */
async function assertWritableLake(lake: string): Promise<void> {
  const info = await stat(lake).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UserError(`lake ${lake} is not a folder`);
  await mkdir(lake, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`lake folder ${lake} cannot be created (${err.code ?? err.message})`);
  });
}

export async function executeRun(options: RunCommandOptions, global: GlobalOptions): Promise<RunSummary> {
  const source = new LocalObjectStore(resolve(options.source));
  await source.assertReadable();
  const lake = resolve(options.lake);
  await assertWritableLake(lake);
  const log = openDebugLog(global.state);
  const progress = createProgress(`hour ${options.hour.label}`, !global.json);
  const started = performance.now();
  log.info({ hour: options.hour.label, source: source.location, lake, format: options.format }, 'run started');
  try {
    const summary = await runHour({
      source: { kind: 'local', root: source.root },
      lakeRoot: lake,
      committer: new LocalLakeCommitter(lake),
      hour: options.hour,
      format: options.format,
      ...(options.codec === undefined ? {} : { codec: options.codec }),
      workers: options.workers,
      targetFileBytes: options.targetFileMb * 1024 * 1024,
      onPhase: (phase) => progress.phase(phase === 'writing' ? `writing ${options.format}` : 'committing'),
      onProgress: (done, total) => {
        const seconds = (performance.now() - started) / 1000;
        progress.update(done.objects, total.objects, { label: 'events/s', value: seconds > 0 ? done.events / seconds : 0 });
      },
    });
    await saveRunRecord(global.state, {
      ...summary,
      finishedAt: new Date().toISOString(),
      source: source.location,
      lake,
      format: options.format,
    });
    log.info({ ...summary }, 'run finished');
    return summary;
  } finally {
    progress.stop();
  }
}

export function describeSummary(summary: RunSummary, lake: string): string {
  const lines = [
    `hour ${summary.hour}: ${formatCount(summary.objects)} objects (${formatBytes(summary.bytes)}) in ${summary.seconds.toFixed(2)} s`,
  ];
  const names = new Set([...Object.keys(summary.events), ...summary.outputs.map((o) => o.entity)]);
  for (const name of names) {
    const files = summary.outputs.filter((o) => o.entity === name);
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    const rows = name === '_quarantine' ? summary.quarantined : (summary.events[name] ?? 0);
    lines.push(`  ${name.padEnd(18)} ${formatCount(rows).padStart(12)} ${name === '_quarantine' ? 'lines' : 'rows '}  ${files.length} file${files.length === 1 ? '' : 's'}  ${formatBytes(bytes)}`);
  }
  if (summary.quarantined === 0) lines.push('  no line quarantined');
  lines.push(`lake: ${lake}`);
  return lines.join('\n');
}

/** The `--json` shape promised in the README. */
export function summaryJson(summary: RunSummary): Record<string, unknown> {
  return {
    hour: summary.hour,
    objects: summary.objects,
    events: summary.events,
    quarantined: summary.quarantined,
    outputs: summary.outputs,
    seconds: Number(summary.seconds.toFixed(3)),
  };
}

export function runCommand(global: () => GlobalOptions): Command {
  return new Command('run')
    .description('process one hour of source objects into the lake, replacing that hour')
    .requiredOption('--source <dir>', 'folder holding the source objects (any depth)')
    .requiredOption('--lake <dir>', 'lake folder to write')
    .requiredOption('--hour <hour>', 'logical hour to process, e.g. 2019-06-01T15', hourArgument)
    .addOption(new Option('--format <format>', 'lake file format').choices(FORMAT_NAMES).default('parquet'))
    .option('--codec <codec>', 'compression: zstd|snappy for parquet, deflate|snappy for avro')
    .option('--workers <n>', 'worker threads', positiveInteger('--workers'), defaultWorkerCount())
    .option('--target-file-mb <mb>', 'target size of a lake file, in MiB', positiveInteger('--target-file-mb'), 128)
    .action(async (opts: RunCommandOptions) => {
      const summary = await executeRun(opts, global());
      printResult(global(), summaryJson(summary), () => describeSummary(summary, resolve(opts.lake)));
    });
}
