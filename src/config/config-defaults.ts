/**
 * The configuration's defaults, as a file would write them. The schema (eventlake-config.ts)
 * fills every key a file leaves out from here. A command run with no config file and no
 * `EVENTLAKE_*` variable takes them resolved by defaultConfig(), without loading the schema:
 * its library, zod, is slow to load, and every start-up would pay for it (docs/performance.md).
 * A test holds defaultConfig() equal to what the schema makes of an empty file.
 */
import { defaultWorkerCount } from '../runtime/worker-count.js';
import { parseDuration } from './duration.js';
import type { EventlakeConfig } from './resolved-config.js';

/** The default schedule: every hour, on the hour. */
export const DEFAULT_CRON = '0 * * * *';

export const FILE_DEFAULTS = {
  source: { path: './data/source', layout: 'any', timezone: 'UTC' },
  lake: { path: './data/lake', format: 'parquet', targetFileMb: 128 },
  state: './.eventlake',
  schedule: { cron: DEFAULT_CRON, delay: '10m', catchup: false, maxActiveRuns: 2, tick: '5s' },
  retries: { count: 3, delay: '30s', maxDelay: '10m', visibilityTimeout: '5m' },
  deadlines: { afterHourEnd: '80m', maxRunDuration: '30m' },
  lateData: { action: 'rerun', lookBack: '24h', checkEvery: '5m', window: '48h' },
  quality: { maxQuarantinedShare: 0.01 },
  cloud: { staleRunAfter: '2h' },
  retention: { finishedRuns: '30d' },
  server: { host: '127.0.0.1', port: 8080 },
} as const;

/** What the schema makes of an empty file: durations in milliseconds, paths still as written. */
export function defaultConfig(): EventlakeConfig {
  const { source, lake, schedule, retries, deadlines, lateData, quality, retention, server } = FILE_DEFAULTS;
  const { cloud } = FILE_DEFAULTS;
  return {
    source: { ...source },
    lake: { ...lake },
    state: FILE_DEFAULTS.state,
    workers: defaultWorkerCount(),
    schedule: {
      cron: schedule.cron,
      delayMs: parseDuration(schedule.delay),
      catchup: schedule.catchup,
      maxActiveRuns: schedule.maxActiveRuns,
      tickMs: parseDuration(schedule.tick),
    },
    retries: {
      count: retries.count,
      delayMs: parseDuration(retries.delay),
      maxDelayMs: parseDuration(retries.maxDelay),
      visibilityTimeoutMs: parseDuration(retries.visibilityTimeout),
    },
    deadlines: { afterHourEndMs: parseDuration(deadlines.afterHourEnd), maxRunDurationMs: parseDuration(deadlines.maxRunDuration) },
    lateData: {
      action: lateData.action,
      lookBackMs: parseDuration(lateData.lookBack),
      checkEveryMs: parseDuration(lateData.checkEvery),
      windowMs: parseDuration(lateData.window),
    },
    quality: { ...quality },
    cloud: { staleRunAfterMs: parseDuration(cloud.staleRunAfter) },
    retention: { finishedRunsMs: parseDuration(retention.finishedRuns) },
    callbacks: [],
    server: { ...server },
  };
}

/** More worker threads than this is a typo, not a machine: the config and --workers both refuse it. */
export const MAX_WORKERS = 256;
