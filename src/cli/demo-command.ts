/**
 * `eventlake demo` (what `npm start` runs): the embedded deployment on a generated feed. It
 * writes the last full hour (UTC) of a synthetic fleet under ./sample/source, starts the
 * scheduler and workers, triggers that hour and prints its summary, then keeps running: each
 * hour that closes gets its synthetic files and the hourly schedule runs it. Ctrl-C stops it
 * cleanly. `--once` stops after the first hour instead.
 */
import { Command } from 'commander';
import { demoFolders } from '../app/demo-folders.js';
import { reportOf } from '../app/run-hour.js';
import { Orchestrator } from '../app/orchestrator.js';
import { existsSync } from 'node:fs';
import { hourOf, type Hour } from '../pipeline/hour.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { describeGenerated, executeGenerate } from './generate-command.js';
import { describeSummary, executeRun, summaryJson } from './run-command.js';
import { loadSettings, type Settings } from './settings.js';
import { folderArgument, positiveInteger } from './shared-options.js';
import { describeUp, serveUp } from './up-command.js';
import { webServer } from './web-server.js';
import { readdirSync } from 'node:fs';

const HOUR_MS = 3_600_000;

function lastClosedHour(now = Date.now()): Hour {
  return hourOf(new Date(Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS));
}

/** The synthetic producer: an hour's files, unless that hour already has some. */
async function produce(source: string, hour: Hour, vehicles: number, global: GlobalOptions): Promise<boolean> {
  if (existsSync(source) && readdirSync(source).some((name) => name.startsWith(`${hour.date}-${hour.hour}-`))) return false;
  const generated = await executeGenerate({ out: source, hour, vehicles, seed: Number(hour.label.replace(/\D/g, '')) % 100_000 }, global);
  if (!global.json) process.stdout.write(`${describeGenerated(generated, source)}\n`);
  return true;
}

export function demoCommand(global: () => GlobalOptions): Command {
  return new Command('demo')
    .description('the embedded deployment on a generated feed under ./sample: first hour now, then hourly, until Ctrl-C')
    .option('--dir <dir>', 'where the sample source, lake and state go', folderArgument('--dir'), 'sample')
    .option('--vehicles <n>', 'vehicles in the sample feed', positiveInteger('--vehicles'), 200)
    .option('--once', 'run the first hour and exit')
    .action(async (opts: { dir: string; vehicles: number; once?: boolean }) => {
      const { source, lake, state } = await demoFolders(opts.dir);
      const options = global().stateGiven ? global() : { ...global(), state, stateGiven: true };
      const settings: Settings = await loadSettings(options, { source, lake, layout: 'flat' });
      const web = webServer(settings, {});
      const hour = lastClosedHour();
      const generated = await executeGenerate({ out: source, hour, vehicles: opts.vehicles, seed: 1 }, options);
      if (!options.json) process.stdout.write(`${describeGenerated(generated, source)}\n`);
      if (opts.once) {
        const orchestrator = await Orchestrator.open(settings.orchestrator);
        const summary = await executeRun(orchestrator, settings.target, hour, options).finally(() => orchestrator.close());
        printResult(options, { generated, run: summaryJson(summary) }, () =>
          [describeSummary(summary, lake), '', `Query it with the DuckDB CLI: duckdb -c "SELECT event, count(*) FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1"`].join('\n'),
        );
        return;
      }
      if (!options.json) process.stdout.write(`${describeUp(settings)}\n`);
      let producing = Promise.resolve(false);
      const producer = setInterval(() => {
        producing = producing.then(() => produce(source, lastClosedHour(), opts.vehicles, options)).catch(() => false);
      }, 30_000);
      producer.unref();
      try {
        await serveUp(settings, options, web, {
          initialHours: [hour.label],
          scheduleFrom: new Date(),
          onSettled: async (run) => {
            if (run.status !== 'success' || run.hour !== hour.label || options.json) return;
            const orchestrator = await Orchestrator.open(settings.orchestrator);
            const report = await reportOf(orchestrator, run).finally(() => orchestrator.close());
            process.stdout.write(
              `${[
                describeSummary(report, lake),
                '',
                `Query it with the DuckDB CLI: duckdb -c "SELECT event, count(*) FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1"`,
                `Still running: each new hour gets its synthetic files and runs on the hourly schedule. Ctrl-C stops.`,
              ].join('\n')}\n`,
            );
          },
        });
      } finally {
        clearInterval(producer);
        await producing;
      }
    });
}
