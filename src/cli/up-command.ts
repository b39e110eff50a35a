/** `eventlake up`: scheduler and workers, until Ctrl-C. */
import { Command } from 'commander';
import { RequestedRuns } from '../app/requested-runs.js';
import { serveScheduler } from '../app/serve-scheduler.js';
import { WarehouseRefresher } from '../app/warehouse-refresher.js';
import type { Orchestrator } from '../app/orchestrator.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { GlobalOptions } from './cli-context.js';
import { withOrchestrator } from './orchestrator-session.js';
import { describeRun, runJson } from './run-outcomes.js';
import { loadSettings, type Settings, type TargetFlags } from './settings.js';
import { targetOptions } from './shared-options.js';
import { announce } from './announce.js';
import { serverOptions, startWebServer, webServer, type ServerFlags, type WebServer } from './web-server.js';

export function describeUp(settings: Settings): string {
  const { target, config, orchestrator } = settings;
  const catchup = config.schedule.catchup ? `, catching up from ${config.schedule.start ?? '?'}` : '';
  return [
    `eventlake up: ${orchestrator.workers} worker${orchestrator.workers === 1 ? '' : 's'}, at most ${config.schedule.maxActiveRuns} runs at a time`,
    `  source   ${target.source} (${config.source.timezone})`,
    `  lake     ${target.lake} (${target.format})`,
    `  state    ${orchestrator.state}${settings.configFile ? `\n  config   ${settings.configFile}` : ''}`,
    `  schedule "${config.schedule.cron}" + ${Math.round(config.schedule.delayMs / 60_000)} min for late files${catchup}`,
    `Ctrl-C stops cleanly; eventlake status shows runs, dead letters and alerts.`,
  ].join('\n');
}

export interface UpOptions {
  readonly initialHours?: readonly string[];
  /** Fires before this are not run (unless catching up): the demo's schedule starts now. */
  readonly scheduleFrom?: Date;
  readonly onSettled?: (run: RunRecord) => void | Promise<void>;
}

export function upWarehouse(settings: Settings, global: GlobalOptions): WarehouseRefresher {
  return new WarehouseRefresher(
    settings.orchestrator.state,
    settings.target.lake,
    (report) => announce(global, { event: 'warehouse', loaded: report.loaded, seconds: Number(report.seconds.toFixed(3)) }, `warehouse ${report.loaded.length} partition(s) loaded, models rebuilt in ${report.seconds.toFixed(1)} s`),
    (err) => process.stderr.write(`eventlake: warehouse build failed: ${err.message.split('\n')[0] ?? ''}\n`),
  );
}

/** A warehouse build left by a stop at once, in the words of a second Ctrl-C. */
export function warehouseUnfinished(warehouse: WarehouseRefresher): string[] {
  return warehouse.building ? ['the warehouse build under way (the published warehouse stays as it was)'] : [];
}

/** Scheduler, workers, and the web UI and API (`web`), until stopped. */
export async function serveUp(settings: Settings, global: GlobalOptions, web: WebServer, options: UpOptions = {}): Promise<void> {
  const warehouse = upWarehouse(settings, global);
  await withOrchestrator(settings, global, async (orchestrator) => {
    // Stopped while starting up: nothing to serve.
    if (orchestrator.stopped) return;
    const requested = new RequestedRuns(orchestrator, settings.target, false);
    const server = await startWebServer(web, settings, global, { mode: 'up', orchestrator, requested, warehouse });
    try {
      await runScheduler(orchestrator);
    } finally {
      await server.close();
    }
    await warehouse.settled();
  }, { checkTarget: true, unfinished: () => warehouseUnfinished(warehouse) });

  async function runScheduler(orchestrator: Orchestrator): Promise<void> {
    await serveScheduler(orchestrator, {
      target: settings.target,
      schedule: settings.schedule,
      maxActiveRuns: settings.config.schedule.maxActiveRuns,
      ...(options.initialHours ? { initialHours: options.initialHours } : {}),
      ...(options.scheduleFrom ? { scheduleFrom: options.scheduleFrom } : {}),
      onQueued: (run) => announce(global, { event: 'queued', run: runJson(run) }, `queued   ${run.hour}  ${run.id} (${run.trigger})`),
      observer: {
        onSettled: (run) => {
          announce(global, { event: run.status, run: runJson(run) }, describeRun(run));
          // The warehouse follows the lake: a build after each hour that succeeds.
          if (run.status === 'success') warehouse.request();
          void Promise.resolve(options.onSettled?.(run)).catch(() => undefined);
        },
      },
    });
  }
}

export function upCommand(global: () => GlobalOptions): Command {
  const command = new Command('up').description('run the scheduler, the workers and the web UI (http://127.0.0.1:8080/) on this state until Ctrl-C');
  for (const option of [...targetOptions(), ...serverOptions()]) command.addOption(option);
  return command.action(async (opts: TargetFlags & ServerFlags) => {
    const settings = await loadSettings(global(), opts);
    const web = webServer(settings, opts);
    if (!global().json) process.stdout.write(`${describeUp(settings)}\n`);
    await serveUp(settings, global(), web);
  });
}
