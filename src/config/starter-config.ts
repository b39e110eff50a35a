/**
 * The starter configuration `eventlake init` writes: every key at its default, each with a line
 * on what it does, so the file documents itself. It loads back to exactly the defaults.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { yamlParser } from './load-on-demand.js';
import { UserError } from '../errors/user-error.js';
import { defaultWorkerCount } from '../runtime/worker-count.js';

const COMMENT_COLUMN = 30;

/** `text` with its comment lined up at one column; a bare string is a line of its own. */
function lines(...entries: readonly (string | readonly [string, string])[]): string {
  return entries.map((entry) => (typeof entry === 'string' ? entry : `${entry[0].padEnd(COMMENT_COLUMN - 1)} # ${entry[1]}`)).join('\n');
}

export function starterConfigYaml(): string {
  const workers = defaultWorkerCount();
  return `${lines(
    '# eventlake configuration. Every key is shown at its default: change what you need, delete the rest.',
    '# Durations: 500ms, 30s, 10m, 1h20m, 2d, or a number of seconds.',
    '# Relative paths are relative to this file. Scalar keys can also be set from the environment,',
    '# as EVENTLAKE_ and the key path in upper snake case, e.g. EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS=4.',
    '',
    'source:',
    ['  path: ./data/source', 'where the raw event files arrive'],
    ['  layout: any', 'any (at any depth), flat (names at the root) or nested (YYYY/MM/DD/HH/)'],
    ['  timezone: UTC', 'the IANA time zone the source names its hours in'],
    '',
    'lake:',
    ['  path: ./data/lake', 'where the validated, partitioned lake is written'],
    ['  format: parquet', 'parquet or avro'],
    ['  # codec: zstd', "compression: zstd or snappy (parquet), deflate or snappy (avro); unset, the format's default"],
    ['  targetFileMb: 128', 'the size data files are aimed at, in MB (1 to 4096)'],
    '',
    ['state: ./.eventlake', 'run records and leases'],
    '',
    // The default follows the machine, so the file does not pin this one's count.
    [`# workers: ${workers}`, `worker threads, 1 to 256; default: one per CPU core (${workers} here)`],
    '',
    'schedule:',
    ['  cron: "0 * * * *"', 'when the scheduler looks for hours due to run: five fields or @hourly, @daily…'],
    ['  delay: 10m', 'how long after an hour ends its run starts, for late writers'],
    ['  catchup: false', 'true: also run every past hour from start on'],
    ['  # start: 2019-06-01T00', 'the first hour to catch up from; needed when catchup is true'],
    ['  maxActiveRuns: 2', 'hours running at the same time, at most (1 to 1000)'],
    ['  tick: 5s', 'how often the scheduler wakes'],
    '',
    'retries:',
    ['  count: 3', 'further attempts after a task fails (0 to 100)'],
    ['  delay: 30s', 'the wait before a retry, growing with each attempt'],
    ['  maxDelay: 10m', 'the longest wait before a retry'],
    ['  visibilityTimeout: 5m', 'a task not heard from for this long is handed out again (1s to 12h)'],
    '',
    'deadlines:',
    ['  afterHourEnd: 80m', 'a run not done this long after its hour ends misses its deadline; none: no deadline'],
    ['  maxRunDuration: 30m', 'a run taking longer than this misses its deadline; none: no limit'],
    '',
    'lateData:',
    ['  action: rerun', 'objects arriving for an hour already run: rerun, alert or ignore'],
    ['  lookBack: 24h', 'how far back to look for late objects'],
    ['  checkEvery: 5m', 'how often to look'],
    ['  window: 48h', 'only the hours this close to the newest hour that succeeded are looked at (1h to 31d)'],
    '',
    'quality:',
    ['  maxQuarantinedShare: 0.01', 'a run quarantining a larger share of its lines raises a quality event'],
    '',
    'cloud:',
    ['  staleRunAfter: 2h', 'a cloud run still queued this long after its fan-out is marked failed, so its hour can run again; none: never'],
    '',
    'retention:',
    ['  finishedRuns: 30d', 'finished runs this old lose their plan and queue messages (not their summary); none: keep them'],
    '',
    'server:',
    ['  host: 127.0.0.1', 'where eventlake up and serve answer; another address needs EVENTLAKE_TOKEN set (16+ characters)'],
    ['  port: 8080', 'the web UI and JSON API port; 0: any free port'],
    '',
    ['callbacks: []', 'who is told about runs; for example:'],
    '# callbacks:',
    '#   - name: ops-webhook',
    '#     on: [failure, deadline_miss]   # success, failure, retry, deadline_miss, late_data, quality, or all',
    '#     webhook:',
    '#       url: https://hooks.example.com/eventlake',
    '#       timeout: 10s',
    '#       retries: 3',
    '#       headers:',
    '#         Authorization: "Bearer ${env:HOOK_TOKEN}"   # read from the environment at delivery, never logged',
    '#   - on: all',
    '#     command: ./notify.sh           # run by the shell with the event as JSON on stdin',
    '#     timeout: 30s',
    '#     retries: 0',
  )}\n`;
}

/**
 * The same keys as JSON, for a `.json` file (read as JSON, where YAML's comments would be a
 * syntax error): JSON has no comments, so it is the bare defaults.
 */
export function starterConfigJson(): string {
  return `${JSON.stringify(yamlParser().parse(starterConfigYaml()), null, 2)}\n`;
}

/** Writes the starter file, JSON for a `.json` name, else YAML; an existing one is kept unless `force`. */
export async function writeStarterConfig(path: string, { force }: { readonly force: boolean }): Promise<void> {
  const text = extname(path).toLowerCase() === '.json' ? starterConfigJson() : starterConfigYaml();
  try {
    await writeFile(path, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`${path} already exists; use --force to replace it`);
    if (code === 'ENOENT') throw new UserError(`cannot write ${path}: its folder does not exist`);
    throw error;
  }
}
