/**
 * The configuration file, `eventlake.config.yaml` (or `.yml`, `.json`): its schema, which
 * checks a file and resolves it into the configuration the rest of eventlake reads
 * (resolved-config.ts), every default filled (config-defaults.ts) and every duration in
 * milliseconds. Keys are camelCase in the file; resolved durations end in `Ms`.
 */
import * as z from 'zod';
import { CALLBACK_EVENTS, type CallbackEvent, type CallbackSubscription } from '../orchestration/callbacks/callback-event.js';
import type { FormatName } from '../formats/lake-format.js';
import { FORMAT_NAMES } from '../formats/lake-formats.js';
import { SOURCE_LAYOUTS } from '../pipeline/source-object-name.js';
import { defaultWorkerCount } from '../runtime/worker-count.js';
import {
  cronExpression,
  duration,
  durationOrNone,
  flag,
  headers,
  hourLabel,
  httpUrl,
  mapping,
  oneOf,
  share,
  shown,
  text,
  timeZone,
  wholeNumber,
} from './config-values.js';
import { wordList } from './word-list.js';
import { FILE_DEFAULTS, MAX_WORKERS } from './config-defaults.js';
import { LATE_DATA_ACTIONS, type EventlakeConfig } from './resolved-config.js';

export { LATE_DATA_ACTIONS, type EventlakeConfig, type LateDataAction } from './resolved-config.js';

/** The shortest tick or check interval: shorter would keep a core busy polling the state. */
const MIN_LOOP_MS = 100;

/** Late data is looked for in the newest hours only: at least the newest one, at most a month of them. */
const LATE_WINDOW_MIN_MS = 3_600_000;
const LATE_WINDOW_MAX_MS = 31 * 86_400_000;

const source = mapping({
  path: text('a folder path').prefault(FILE_DEFAULTS.source.path),
  layout: oneOf(SOURCE_LAYOUTS).prefault(FILE_DEFAULTS.source.layout),
  timezone: timeZone().prefault(FILE_DEFAULTS.source.timezone),
});

const lake = mapping({
  path: text('a folder path').prefault(FILE_DEFAULTS.lake.path),
  format: oneOf(FORMAT_NAMES as [FormatName, ...FormatName[]]).prefault(FILE_DEFAULTS.lake.format),
  codec: text('a codec name').optional(),
  targetFileMb: wholeNumber(1, 4096).prefault(FILE_DEFAULTS.lake.targetFileMb),
});

const schedule = mapping({
  cron: cronExpression().prefault(FILE_DEFAULTS.schedule.cron),
  delay: duration().prefault(FILE_DEFAULTS.schedule.delay),
  catchup: flag().prefault(FILE_DEFAULTS.schedule.catchup),
  start: hourLabel().optional(),
  maxActiveRuns: wholeNumber(1, 1000).prefault(FILE_DEFAULTS.schedule.maxActiveRuns),
  tick: duration(MIN_LOOP_MS).prefault(FILE_DEFAULTS.schedule.tick),
})
  .superRefine((s, ctx) => {
    if (s.catchup && s.start === undefined) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'must be set to the first hour to catch up from, such as 2019-06-01T15, when schedule.catchup is true (got nothing)' });
    }
  })
  .transform(
    (s): EventlakeConfig['schedule'] => ({
      cron: s.cron,
      delayMs: s.delay,
      catchup: s.catchup,
      ...(s.start === undefined ? {} : { start: s.start }),
      maxActiveRuns: s.maxActiveRuns,
      tickMs: s.tick,
    }),
  );

/** Claims are heartbeated every quarter of this: under a second would be a busy loop; SQS allows at most 12 h. */
const MIN_VISIBILITY_MS = 1000;
const MAX_VISIBILITY_MS = 12 * 3_600_000;

const retries = mapping({
  count: wholeNumber(0, 100).prefault(FILE_DEFAULTS.retries.count),
  delay: duration().prefault(FILE_DEFAULTS.retries.delay),
  maxDelay: duration().prefault(FILE_DEFAULTS.retries.maxDelay),
  visibilityTimeout: duration(MIN_VISIBILITY_MS, MAX_VISIBILITY_MS).prefault(FILE_DEFAULTS.retries.visibilityTimeout),
}).transform(
  (r): EventlakeConfig['retries'] => ({ count: r.count, delayMs: r.delay, maxDelayMs: r.maxDelay, visibilityTimeoutMs: r.visibilityTimeout }),
);

const deadlines = mapping({
  afterHourEnd: durationOrNone().prefault(FILE_DEFAULTS.deadlines.afterHourEnd),
  maxRunDuration: durationOrNone().prefault(FILE_DEFAULTS.deadlines.maxRunDuration),
}).transform((d): EventlakeConfig['deadlines'] => ({ afterHourEndMs: d.afterHourEnd, maxRunDurationMs: d.maxRunDuration }));

const cloud = mapping({
  staleRunAfter: durationOrNone().prefault(FILE_DEFAULTS.cloud.staleRunAfter),
}).transform((c): EventlakeConfig['cloud'] => ({ staleRunAfterMs: c.staleRunAfter }));

const lateData = mapping({
  action: oneOf(LATE_DATA_ACTIONS).prefault(FILE_DEFAULTS.lateData.action),
  lookBack: duration().prefault(FILE_DEFAULTS.lateData.lookBack),
  checkEvery: duration(MIN_LOOP_MS).prefault(FILE_DEFAULTS.lateData.checkEvery),
  window: duration(LATE_WINDOW_MIN_MS, LATE_WINDOW_MAX_MS).prefault(FILE_DEFAULTS.lateData.window),
}).transform((l): EventlakeConfig['lateData'] => ({ action: l.action, lookBackMs: l.lookBack, checkEveryMs: l.checkEvery, windowMs: l.window }));

const quality = mapping({
  maxQuarantinedShare: share().prefault(FILE_DEFAULTS.quality.maxQuarantinedShare),
});

/** `on: all`, or a list of events in which `all` may stand for every one. */
const events = z.preprocess(
  (value) => (value === 'all' ? ['all'] : value),
  z
    .array(oneOf([...CALLBACK_EVENTS, 'all']), { error: (issue) => `must be a list of events (${wordList([...CALLBACK_EVENTS])}) or all (got ${shown(issue.input)})` })
    .min(1, { error: `must name at least one event (${wordList([...CALLBACK_EVENTS])}) or all (got an empty list)` }),
);

const webhook = mapping(
  {
    url: httpUrl(),
    timeout: duration().prefault('10s'),
    retries: wholeNumber(0).prefault(3),
    headers: headers().prefault({}),
  },
  { secret: true },
);

/** A command's timeout and retries sit beside it; a webhook keeps its own under `webhook`. */
const COMMAND_DEFAULTS = { timeoutMs: 30_000, retries: 0 } as const;

const callback = mapping({
  name: text('a name').optional(),
  on: events,
  webhook: webhook.optional(),
  command: text('a shell command').optional(),
  timeout: duration().optional(),
  retries: wholeNumber(0).optional(),
}).superRefine((c, ctx) => {
  if ((c.webhook === undefined) === (c.command === undefined)) {
    const got = c.webhook === undefined ? 'neither' : 'both';
    ctx.addIssue({ code: 'custom', message: `must have exactly one of webhook or command (got ${got})` });
    return;
  }
  if (c.webhook === undefined) return;
  for (const key of ['timeout', 'retries'] as const) {
    if (c[key] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: `is only for a command callback (a webhook's ${key} goes under webhook)` });
    }
  }
});

type CallbackEntry = z.output<typeof callback>;

function subscription(entry: CallbackEntry, index: number): CallbackSubscription {
  const on: CallbackEvent[] = entry.on.includes('all') ? [...CALLBACK_EVENTS] : [...new Set(entry.on.filter((e) => e !== 'all'))];
  const name = entry.name ?? `callbacks[${index}]`;
  if (entry.webhook) {
    const { url, timeout, retries, headers } = entry.webhook;
    return { name, on, target: { kind: 'webhook', url, timeoutMs: timeout, retries, headers } };
  }
  // The refinement above guarantees a command whenever there is no webhook.
  const command = entry.command as string;
  return {
    name,
    on,
    target: { kind: 'command', command, timeoutMs: entry.timeout ?? COMMAND_DEFAULTS.timeoutMs, retries: entry.retries ?? COMMAND_DEFAULTS.retries },
  };
}

const callbacks = z
  .array(callback, { error: (issue) => `must be a list of callbacks (got ${shown(issue.input)})` })
  .transform((list) => list.map(subscription));

const server = mapping({
  host: text('an address such as 127.0.0.1').prefault(FILE_DEFAULTS.server.host),
  port: wholeNumber(0)
    .max(65535, { error: (issue) => `must be a port number from 0 to 65535 (got ${shown(issue.input)})` })
    .prefault(FILE_DEFAULTS.server.port),
});

/** Finished runs lose their manifest and queue messages this long after they end (none: kept forever). */
const retention = mapping({
  // At least an hour: a shorter one would prune the runs of the hour being checked for late data.
  finishedRuns: durationOrNone(3_600_000).prefault(FILE_DEFAULTS.retention.finishedRuns),
}).transform((r): EventlakeConfig['retention'] => ({ finishedRunsMs: r.finishedRuns }));

/** The file's schema; parsing yields an `EventlakeConfig` whose paths are still as written. */
export const eventlakeConfigSchema = mapping({
  source: source.prefault({}),
  lake: lake.prefault({}),
  state: text('a folder path').prefault(FILE_DEFAULTS.state),
  workers: wholeNumber(1, MAX_WORKERS).prefault(() => defaultWorkerCount()),
  schedule: schedule.prefault({}),
  retries: retries.prefault({}),
  deadlines: deadlines.prefault({}),
  lateData: lateData.prefault({}),
  quality: quality.prefault({}),
  cloud: cloud.prefault({}),
  retention: retention.prefault({}),
  callbacks: callbacks.prefault([]),
  server: server.prefault({}),
}).transform((config): EventlakeConfig => config);
