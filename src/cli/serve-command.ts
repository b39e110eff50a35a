/**
 * `eventlake serve`: the web UI and JSON API without the scheduler. Runs asked for through it
 * are left to a scheduler live on the state (`eventlake up`), or else worked on here, as
 * `eventlake trigger` does; Ctrl-C stops it cleanly.
 */
import { Command } from 'commander';
import { RequestedRuns } from '../app/requested-runs.js';
import type { GlobalOptions } from './cli-context.js';
import { announce } from './announce.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, runJson } from './run-outcomes.js';
import { loadSettings, type TargetFlags } from './settings.js';
import { targetOptions } from './shared-options.js';
import { upWarehouse, warehouseUnfinished } from './up-command.js';
import { serverOptions, startWebServer, webServer, type ServerFlags } from './web-server.js';

export function serveCommand(global: () => GlobalOptions): Command {
  const command = new Command('serve').description('serve the web UI and JSON API (http://127.0.0.1:8080/) on this state, without the scheduler, until Ctrl-C');
  for (const option of [...targetOptions(), ...serverOptions()]) command.addOption(option);
  return command.action(async (opts: TargetFlags & ServerFlags) => {
    const settings = await loadSettings(global(), opts);
    const web = webServer(settings, opts);
    const warehouse = upWarehouse(settings, global());
    await withOrchestrator(settings, global(), async (orchestrator) => {
      // Stopped while starting up: nothing to serve.
      if (orchestrator.stopped) return;
      const requested = new RequestedRuns(orchestrator, settings.target, true);
      const server = await startWebServer(web, settings, global(), { mode: 'serve', orchestrator, requested, warehouse });
      try {
        await requested.work({
          maxRunning: settings.config.schedule.maxActiveRuns,
          observer: {
            onSettled: (run) => {
              announce(global(), { event: run.status, run: runJson(run) }, describeRun(run));
              if (run.status === 'success') warehouse.request();
            },
          },
        });
      } finally {
        await server.close();
      }
      await warehouse.settled();
    }, { checkTarget: true, unfinished: () => warehouseUnfinished(warehouse) });
  });
}
