/**
 * Where a command's settings come from, in order: its flags, then the environment
 * (`EVENTLAKE_…`), then the config file, then the embedded defaults.
 */
import { resolve } from 'node:path';
import type { OrchestratorSettings, RunTarget } from '../app/orchestrator.js';
import type { EventlakeConfig } from '../config/eventlake-config.js';
import { loadConfig } from '../config/load-config.js';
import type { FormatName } from '../formats/lake-format.js';
import type { ScheduleSettings } from '../orchestration/scheduler.js';
import { resolveRunRequest } from '../orchestration/resolve-run-request.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { formatLocation } from '../storage/location.js';
import type { GlobalOptions } from './cli-context.js';

/** Flags that say what to read and write; each overrides its config key. */
export interface TargetFlags {
  readonly source?: string;
  readonly lake?: string;
  readonly layout?: SourceLayout;
  readonly format?: FormatName;
  readonly codec?: string;
  readonly workers?: number;
  readonly targetFileMb?: number;
}

export interface Settings {
  readonly config: EventlakeConfig;
  readonly configFile: string | undefined;
  readonly target: RunTarget;
  readonly orchestrator: OrchestratorSettings;
  readonly schedule: ScheduleSettings;
}

export async function loadSettings(global: GlobalOptions, flags: TargetFlags = {}): Promise<Settings> {
  const { config, file } = await loadConfig({
    cwd: process.cwd(),
    ...(global.config === undefined ? {} : { file: global.config }),
    env: process.env,
  });
  const request = await resolveRunRequest(config, flags, process.env);
  // A folder becomes its absolute path; `s3://bucket/prefix` stays as written (with a final slash).
  const target: RunTarget = { ...request, source: formatLocation(request.source), lake: formatLocation(request.lake) };
  const orchestrator: OrchestratorSettings = {
    state: global.stateGiven ? global.state : resolve(config.state),
    workers: flags.workers ?? config.workers,
    retry: { retries: config.retries.count, delayMs: config.retries.delayMs, maxDelayMs: config.retries.maxDelayMs },
    visibilityMs: config.retries.visibilityTimeoutMs,
    maxQuarantinedShare: config.quality.maxQuarantinedShare,
    callbacks: config.callbacks,
    deadlines: config.deadlines,
    pollMs: Math.min(config.schedule.tickMs, 1000),
  };
  const schedule: ScheduleSettings = {
    lake: target.lake,
    cron: config.schedule.cron,
    timezone: config.source.timezone,
    delayMs: config.schedule.delayMs,
    catchup: config.schedule.catchup,
    ...(config.schedule.start === undefined ? {} : { start: config.schedule.start }),
    tickMs: config.schedule.tickMs,
    lateData: config.lateData,
    ...(config.retention.finishedRunsMs === null ? {} : { retentionMs: config.retention.finishedRunsMs }),
  };
  return { config, configFile: file, target, orchestrator, schedule };
}
