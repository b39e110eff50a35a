/**
 * `eventlake demo` (what `npm start` runs): generate a sample hour, run it into a lake,
 * print the summary. Everything lands under ./sample so it is easy to look at and delete.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { parseHour } from '../pipeline/hour.js';
import { defaultWorkerCount } from '../runtime/worker-count.js';
import { ensureWritableFolder } from '../storage/writable-folder.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { describeGenerated, executeGenerate } from './generate-command.js';
import { describeSummary, executeRun, summaryJson } from './run-command.js';
import { positiveInteger } from './shared-options.js';

const DEMO_HOUR = '2019-06-01T15';

export function demoCommand(global: () => GlobalOptions): Command {
  return new Command('demo')
    .description('generate a sample hour and run it into a lake under ./sample')
    .option('--dir <dir>', 'where the sample source and lake go', 'sample')
    .option('--vehicles <n>', 'vehicles in the sample hour', positiveInteger('--vehicles'), 200)
    .action(async (opts: { dir: string; vehicles: number }) => {
      const hour = parseHour(DEMO_HOUR);
      if (!hour) throw new Error(`demo hour ${DEMO_HOUR} does not parse`);
      const dir = resolve(opts.dir);
      await ensureWritableFolder(dir, 'demo folder');
      const source = join(dir, 'source');
      const lake = join(dir, 'lake');
      const generated = await executeGenerate({ out: source, hour, vehicles: opts.vehicles, seed: 1 }, global());
      if (!global().json) console.log(describeGenerated(generated, source));
      const summary = await executeRun(
        { source, lake, hour, layout: 'any', format: 'parquet', workers: defaultWorkerCount(), targetFileMb: 128 },
        global(),
      );
      printResult(global(), { generated, run: summaryJson(summary) }, () =>
        [describeSummary(summary, lake), '', `Query it with the DuckDB CLI: duckdb -c "SELECT event, count(*) FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1"`].join('\n'),
      );
    });
}
