/** `eventlake generate`: a realistic synthetic hour in the original bucket's naming. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { generateHour } from '../app/generate-hour.js';
import { HOUR_SECONDS, type GenerateResult } from '../generate/synthetic-feed.js';
import type { Hour } from '../pipeline/hour.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { createProgress } from './progress-bar.js';
import { folderArgument, hourArgument, positiveInteger } from './shared-options.js';

export interface GenerateCommandOptions {
  readonly out: string;
  readonly hour: Hour;
  readonly vehicles: number;
  readonly seconds?: number;
  readonly seed: number;
  readonly gzip?: boolean;
}

export async function executeGenerate(options: GenerateCommandOptions, global: GlobalOptions): Promise<GenerateResult> {
  const progress = createProgress(`generate ${options.hour.label}`, !global.json);
  try {
    return await generateHour({
      out: options.out,
      hour: options.hour,
      vehicles: options.vehicles,
      ...(options.seconds === undefined ? {} : { seconds: options.seconds }),
      seed: options.seed,
      gzip: options.gzip ?? false,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
  }
}

export function describeGenerated(result: GenerateResult, out: string): string {
  return `generated ${formatCount(result.events)} events in ${formatCount(result.files)} files (${formatBytes(result.bytes)}) under ${out}`;
}

export function generateCommand(global: () => GlobalOptions): Command {
  return new Command('generate')
    .description('write a synthetic hour of events, one file per second')
    .requiredOption('--out <dir>', 'folder to write the source objects to', folderArgument('--out'))
    .requiredOption('--hour <hour>', 'logical hour, e.g. 2019-06-01T15', hourArgument)
    .requiredOption('--vehicles <n>', 'number of vehicles', positiveInteger('--vehicles'))
    .option('--seconds <n>', `only the first n seconds of the hour, shifts and periods scaled to fit (1–${HOUR_SECONDS})`, positiveInteger('--seconds', 1, HOUR_SECONDS))
    .option('--seed <n>', 'seed; the same seed writes the same bytes', positiveInteger('--seed', 0), 1)
    .option('--gzip', 'write .json.gz objects')
    .action(async (opts: GenerateCommandOptions) => {
      const result = await executeGenerate(opts, global());
      printResult(global(), { out: resolve(opts.out), ...result }, () => describeGenerated(result, resolve(opts.out)));
    });
}
