/**
 * `eventlake demo` (what `npm start` runs): generate a sample hour, run it into a lake,
 * print the summary. Everything, its state folder included, lands under ./sample.
 */
import { Command } from 'commander';
import { parseHour } from '../pipeline/hour.js';
import { defaultWorkerCount } from '../runtime/worker-count.js';
import { demoFolders } from '../app/demo-folders.js';
import { printResult, printWarnings, type GlobalOptions } from './cli-context.js';
import { describeGenerated, executeGenerate } from './generate-command.js';
import { describeSummary, executeRun, summaryJson } from './run-command.js';
import { folderArgument, positiveInteger } from './shared-options.js';

const DEMO_HOUR = '2019-06-01T15';

export function demoCommand(global: () => GlobalOptions): Command {
  return new Command('demo')
    .description('generate a sample hour and run it into a lake under ./sample')
    .option('--dir <dir>', 'where the sample source, lake and state go', folderArgument('--dir'), 'sample')
    .option('--vehicles <n>', 'vehicles in the sample hour', positiveInteger('--vehicles'), 200)
    .action(async (opts: { dir: string; vehicles: number }) => {
      const hour = parseHour(DEMO_HOUR);
      if (!hour) throw new Error(`demo hour ${DEMO_HOUR} does not parse`);
      const { source, lake, state } = await demoFolders(opts.dir);
      const options = global().stateGiven ? global() : { ...global(), state };
      const generated = await executeGenerate({ out: source, hour, vehicles: opts.vehicles, seed: 1 }, options);
      if (!options.json) console.log(describeGenerated(generated, source));
      const summary = await executeRun(
        { source, lake, hour, layout: 'any', format: 'parquet', workers: defaultWorkerCount(), targetFileMb: 128 },
        options,
      );
      printResult(options, { generated, run: summaryJson(summary) }, () =>
        [describeSummary(summary, lake), '', `Query it with the DuckDB CLI: duckdb -c "SELECT event, count(*) FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1"`].join('\n'),
      );
      printWarnings(summary.warnings);
    });
}
