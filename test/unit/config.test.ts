import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CALLBACK_EVENTS } from '../../src/orchestration/callbacks/callback-event.js';
import { UserError } from '../../src/errors/user-error.js';
import { defaultWorkerCount } from '../../src/runtime/worker-count.js';
import { defaultConfig } from '../../src/config/config-defaults.js';
import { envVariableName } from '../../src/config/env-overrides.js';
import { eventlakeConfigSchema, type EventlakeConfig } from '../../src/config/eventlake-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { scalarKeys } from '../../src/config/scalar-keys.js';
import { starterConfigYaml, writeStarterConfig } from '../../src/config/starter-config.js';
import { CLI, tempDir } from '../helpers/fixtures.js';

type Env = Record<string, string>;

/** A fresh folder holding `files`, by name. */
async function folderWith(files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir('eventlake-config-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

async function loadYaml(yaml: string, env: Env = {}): Promise<EventlakeConfig> {
  const cwd = await folderWith({ 'eventlake.config.yaml': yaml });
  return (await loadConfig({ cwd, env })).config;
}

/** The UserError loading `yaml` gives, as its message. */
async function yamlError(yaml: string, env: Env = {}): Promise<string> {
  return errorOf(loadYaml(yaml, env));
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).message;
}

function defaultsIn(dir: string): EventlakeConfig {
  return {
    source: { path: join(dir, 'data/source'), layout: 'any', timezone: 'UTC' },
    lake: { path: join(dir, 'data/lake'), format: 'parquet', targetFileMb: 128 },
    state: join(dir, '.eventlake'),
    workers: defaultWorkerCount(),
    schedule: { cron: '0 * * * *', delayMs: 600_000, catchup: false, maxActiveRuns: 2, tickMs: 5_000 },
    retries: { count: 3, delayMs: 30_000, maxDelayMs: 600_000, visibilityTimeoutMs: 300_000 },
    deadlines: { afterHourEndMs: 4_800_000, maxRunDurationMs: 1_800_000 },
    lateData: { action: 'rerun', lookBackMs: 86_400_000, checkEveryMs: 300_000, windowMs: 172_800_000 },
    quality: { maxQuarantinedShare: 0.01 },
    cloud: { staleRunAfterMs: 7_200_000 },
    retention: { finishedRunsMs: 2_592_000_000 },
    callbacks: [],
    server: { host: '127.0.0.1', port: 8080 },
  };
}

const run = promisify(execFile);

describe('loadConfig: files', () => {
  it('gives every default, paths under cwd, when there is no file', async () => {
    const cwd = await folderWith();
    expect(await loadConfig({ cwd, env: {} })).toEqual({ config: defaultsIn(cwd), file: undefined });
  });

  it('reads eventlake.config.json', async () => {
    const json = { lake: { format: 'avro', codec: 'snappy', targetFileMb: 64 }, workers: 3, schedule: { delay: 90, tick: '1s' } };
    const cwd = await folderWith({ 'eventlake.config.json': JSON.stringify(json) });
    const { config, file } = await loadConfig({ cwd, env: {} });
    expect(file).toBe(join(cwd, 'eventlake.config.json'));
    expect(config.lake).toEqual({ path: join(cwd, 'data/lake'), format: 'avro', codec: 'snappy', targetFileMb: 64 });
    expect(config.workers).toBe(3);
    expect(config.schedule).toMatchObject({ delayMs: 90_000, tickMs: 1_000, cron: '0 * * * *' });
  });

  it.each(['eventlake.config.yaml', 'eventlake.config.yml'])('reads %s', async (name) => {
    const yaml = [
      'source:',
      '  layout: nested',
      '  timezone: Europe/Berlin',
      'schedule:',
      '  cron: "*/15 * * * *"',
      '  catchup: true',
      '  start: 2019-06-01 05',
      'retries: { count: 0, delay: 1h20m }',
      'deadlines:',
      '  afterHourEnd: null',
      '  maxRunDuration: none',
      'lateData: { action: alert }',
      'quality: { maxQuarantinedShare: 0.5 }',
    ].join('\n');
    const cwd = await folderWith({ [name]: yaml });
    const { config, file } = await loadConfig({ cwd, env: {} });
    expect(file).toBe(join(cwd, name));
    expect(config.source).toMatchObject({ layout: 'nested', timezone: 'Europe/Berlin' });
    expect(config.schedule).toMatchObject({ cron: '*/15 * * * *', catchup: true, start: '2019-06-01T05' });
    expect(config.retries).toEqual({ count: 0, delayMs: 4_800_000, maxDelayMs: 600_000, visibilityTimeoutMs: 300_000 });
    expect(config.deadlines).toEqual({ afterHourEndMs: null, maxRunDurationMs: null });
    expect(config.lateData.action).toBe('alert');
    expect(config.quality.maxQuarantinedShare).toBe(0.5);
  });

  it('reads an empty YAML file as every default', async () => {
    const cwd = await folderWith({ 'eventlake.config.yaml': '# nothing set yet\n' });
    expect((await loadConfig({ cwd, env: {} })).config).toEqual(defaultsIn(cwd));
  });

  it("resolves relative paths against the file's folder, and leaves absolute ones alone", async () => {
    const cwd = await folderWith({ 'conf/site.yaml': 'source: { path: ../incoming }\nlake: { path: /srv/lake }\nstate: state\n' });
    const { config, file } = await loadConfig({ cwd, file: 'conf/site.yaml', env: {} });
    expect(file).toBe(join(cwd, 'conf/site.yaml'));
    expect(config.source.path).toBe(join(cwd, 'incoming'));
    expect(config.lake.path).toBe('/srv/lake');
    expect(config.state).toBe(join(cwd, 'conf/state'));
  });

  it('refuses two config files in one folder, naming both', async () => {
    const cwd = await folderWith({ 'eventlake.config.json': '{}', 'eventlake.config.yaml': '' });
    expect(await errorOf(loadConfig({ cwd, env: {} }))).toBe(`found eventlake.config.json and eventlake.config.yaml in ${cwd}; keep one, or choose one with --config`);
  });

  it('takes a --config file over the ones in the folder', async () => {
    const cwd = await folderWith({ 'eventlake.config.json': '{}', 'eventlake.config.yaml': '', 'other.yaml': 'workers: 5' });
    expect((await loadConfig({ cwd, file: 'other.yaml', env: {} })).config.workers).toBe(5);
  });

  it('refuses a --config file that does not exist', async () => {
    const cwd = await folderWith();
    expect(await errorOf(loadConfig({ cwd, file: 'nope.yaml', env: {} }))).toBe('config file nope.yaml does not exist');
  });

  it('reads the file EVENTLAKE_CONFIG names, and says so when it is missing', async () => {
    const cwd = await folderWith({ 'elsewhere/x.json': '{"workers": 7}' });
    expect((await loadConfig({ cwd, env: { EVENTLAKE_CONFIG: 'elsewhere/x.json' } })).config.workers).toBe(7);
    expect(await errorOf(loadConfig({ cwd, env: { EVENTLAKE_CONFIG: 'gone.yaml' } }))).toBe('config file gone.yaml (named by EVENTLAKE_CONFIG) does not exist');
  });

  it('names the file and line of a YAML syntax error, without echoing the text', async () => {
    const yaml = 'source:\n  path: ./in\ncallbacks: [ { on: all, webhook: { url: "https://h", headers: { X: "s3cret } } ]\n';
    const message = await yamlError(yaml);
    // The parser notices the missing quote where the text runs out: line 3 or the empty line after.
    expect(message).toMatch(/^eventlake\.config\.yaml is not valid YAML at line [34]: missing closing "quote$/);
    expect(message).not.toContain('s3cret');
    expect(await yamlError('workers: 2\nstate: a\nworkers: 3\n')).toBe('eventlake.config.yaml is not valid YAML at line 3: map keys must be unique');
  });

  it('names the file of an alias bomb (ten lines that would expand to ten thousand values)', async () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    expect(await errorOf(loadConfig({ cwd: await folderWith({ 'eventlake.config.yaml': bomb }), env: {} }))).toBe(
      'eventlake.config.yaml is not valid YAML: its aliases expand past 100 uses (a few lines that would expand to a huge document)',
    );
  });

  it('names the file and line of a JSON syntax error, without echoing the text', async () => {
    for (const json of ['{\n  "workers": 2,\n  "state": \n}', '{\n  "workers": 2,\n  "lake": { "codec": "s3cret" },\n}', '{\n  "workers": 2\n  "state": "x"\n}']) {
      const cwd = await folderWith({ 'eventlake.config.json': json });
      const message = await errorOf(loadConfig({ cwd, env: {} }));
      expect(message).toMatch(/^eventlake\.config\.json is not valid JSON at line [34]: /);
      expect(message).not.toContain('s3cret');
    }
  });
});

describe('loadConfig: embedded defaults without the schema', () => {
  it('are what the schema makes of an empty file', () => {
    expect(defaultConfig()).toEqual(eventlakeConfigSchema.parse({}));
  });

  it('give the same configuration with no file and no variable as the schema does', async () => {
    const cwd = await tempDir();
    const plain = await loadConfig({ cwd, env: {} });
    // A variable setting a key to its default sends the load through the schema.
    const checked = await loadConfig({ cwd, env: { EVENTLAKE_WORKERS: String(defaultWorkerCount()) } });
    expect(plain).toEqual(checked);
    expect(plain.config.state).toBe(join(cwd, '.eventlake'));
    // Variables that are not configuration keys keep the shortcut; a mistyped one is still named.
    expect(await loadConfig({ cwd, env: { EVENTLAKE_FAIL_TASK: 't00000', EVENTLAKE_TOKEN: 'x' } })).toEqual(plain);
    await expect(loadConfig({ cwd, env: { EVENTLAKE_WORKRES: '2' } })).rejects.toThrow('EVENTLAKE_WORKRES is not an eventlake variable (did you mean EVENTLAKE_WORKERS?)');
  });

  it('keep zod out of a run with neither: the schema library is never loaded', async () => {
    const dir = await tempDir();
    const source = join(dir, 'source');
    await mkdir(source);
    const at = '2019-06-01T15:00:00.000Z';
    await writeFile(join(source, '2019-06-01-15-0-0-events.json'), `${JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id: 'v1', location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org' })}\n`);
    // Without the test runner's EVENTLAKE_SERVER_PORT, which is a configuration variable.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EVENTLAKE_')));
    const args = [CLI, 'run', '--hour', '2019-06-01T15', '--source', source, '--lake', join(dir, 'lake'), '--state', join(dir, 'state'), '--json'];
    const { stderr } = await run(process.execPath, args, { cwd: dir, env: { ...env, NODE_DEBUG: 'esm' } });
    expect(stderr).toContain('/node_modules/commander/'); // the module log is on
    expect(stderr).not.toContain('/node_modules/zod/');
  });
});

describe('loadConfig: environment', () => {
  it('sets numbers, booleans, durations, strings and none over the file', async () => {
    const env = {
      EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: '4',
      EVENTLAKE_WORKERS: '6',
      EVENTLAKE_SCHEDULE_CATCHUP: 'true',
      EVENTLAKE_SCHEDULE_START: '2019-06-01T00',
      EVENTLAKE_RETRIES_DELAY: '1s',
      EVENTLAKE_RETRIES_MAX_DELAY: '120',
      EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
      EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'null',
      EVENTLAKE_SOURCE_TIMEZONE: 'America/New_York',
      EVENTLAKE_QUALITY_MAX_QUARANTINED_SHARE: '0.2',
      EVENTLAKE_LAKE_FORMAT: 'avro',
    };
    const config = await loadYaml('workers: 2\nschedule: { maxActiveRuns: 1 }\ndeadlines: { afterHourEnd: 2h }\n', env);
    expect(config.workers).toBe(6);
    expect(config.schedule).toMatchObject({ maxActiveRuns: 4, catchup: true, start: '2019-06-01T00' });
    expect(config.retries).toMatchObject({ delayMs: 1_000, maxDelayMs: 120_000 });
    expect(config.deadlines).toEqual({ afterHourEndMs: null, maxRunDurationMs: null });
    expect(config.source.timezone).toBe('America/New_York');
    expect(config.quality.maxQuarantinedShare).toBe(0.2);
    expect(config.lake.format).toBe('avro');
  });

  it('resolves paths from the environment against cwd, not the file', async () => {
    const cwd = await folderWith({ 'conf/eventlake.config.yaml': 'lake: { path: lake }\n' });
    const env = { EVENTLAKE_SOURCE_PATH: 'in', EVENTLAKE_STATE: 'st', EVENTLAKE_CONFIG: 'conf/eventlake.config.yaml' };
    const { config } = await loadConfig({ cwd, env });
    expect(config.source.path).toBe(join(cwd, 'in'));
    expect(config.state).toBe(join(cwd, 'st'));
    expect(config.lake.path).toBe(join(cwd, 'conf/lake'));
  });

  it('keeps a bucket as written, from the file or the environment, and refuses a bucket as the state', async () => {
    const cwd = await folderWith({ 'conf/eventlake.config.yaml': 'source: { path: s3://incoming/raw/ }\nlake: { path: lake }\n' });
    const { config } = await loadConfig({ cwd, env: { EVENTLAKE_CONFIG: 'conf/eventlake.config.yaml', EVENTLAKE_LAKE_PATH: 's3://lake' } });
    expect(config.source.path).toBe('s3://incoming/raw/');
    expect(config.lake.path).toBe('s3://lake');
    expect(await errorOf(loadConfig({ cwd, env: { EVENTLAKE_STATE: 's3://lake/state/' } }))).toBe(
      'EVENTLAKE_STATE s3://lake/state/ is a bucket; the state is a local folder (the cloud runtime keeps its runs in the lake)',
    );
    expect(await errorOf(loadConfig({ cwd: await folderWith({ 'eventlake.config.yaml': 'state: S3://b/s\n' }), env: {} }))).toMatch(/^state S3:\/\/b\/s is a bucket; /);
  });

  it('names the variable, not the file, when its value is wrong', async () => {
    expect(await yamlError('', { EVENTLAKE_SCHEDULE_CRON: '@minutely' })).toMatch(/^EVENTLAKE_SCHEDULE_CRON must be a cron expression .*\(got "@minutely": the aliases are @hourly/);
    expect(await yamlError('schedule: { maxActiveRuns: 3 }', { EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: 'two' })).toBe(
      'EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS must be a whole number from 1 to 1,000 (got "two")',
    );
    expect(await yamlError('', { EVENTLAKE_SCHEDULE_CATCHUP: 'yes please' })).toBe('EVENTLAKE_SCHEDULE_CATCHUP must be true or false (got "yes please")');
    expect(await errorOf(loadConfig({ cwd: await folderWith(), env: { EVENTLAKE_RETRIES_DELAY: 'soon' } }))).toMatch(
      /^EVENTLAKE_RETRIES_DELAY must be a duration such as 500ms, .* \(got "soon"\)$/,
    );
  });

  it('refuses an unknown EVENTLAKE_ variable, suggesting the near one, and ignores the known others', async () => {
    const cwd = await folderWith();
    expect(await errorOf(loadConfig({ cwd, env: { EVENTLAKE_SCHEDULE_CORN: '0 0 * * *' } }))).toBe(
      'EVENTLAKE_SCHEDULE_CORN is not an eventlake variable (did you mean EVENTLAKE_SCHEDULE_CRON?)',
    );
    expect(await errorOf(loadConfig({ cwd, env: { EVENTLAKE_CALLBACKS: '[]' } }))).toMatch(/^EVENTLAKE_CALLBACKS is not an eventlake variable \(a configuration key/);
    const ignored = { EVENTLAKE_CRASH_AT: 'x', EVENTLAKE_PAUSE_AT: 'x', EVENTLAKE_PAUSE_MS: '5', EVENTLAKE_FAIL_TASK: '1', EVENTLAKE_TOKEN: 't', HOME: '/root' };
    expect((await loadConfig({ cwd, env: ignored })).config).toEqual(defaultsIn(cwd));
  });

  it('derives a variable for every scalar key of the schema', () => {
    const names = scalarKeys(eventlakeConfigSchema).map((k) => envVariableName(k.path));
    expect(names).toContain('EVENTLAKE_SOURCE_PATH');
    expect(names).toContain('EVENTLAKE_LAKE_TARGET_FILE_MB');
    expect(names).toContain('EVENTLAKE_DEADLINES_AFTER_HOUR_END');
    expect(names).toContain('EVENTLAKE_LATE_DATA_CHECK_EVERY');
    expect(names).toContain('EVENTLAKE_LATE_DATA_WINDOW');
    expect(names).toContain('EVENTLAKE_SERVER_PORT');
    expect(names).toContain('EVENTLAKE_CLOUD_STALE_RUN_AFTER');
    expect(names).toContain('EVENTLAKE_RETENTION_FINISHED_RUNS');
    expect(names).toHaveLength(30);
    expect(names.some((n) => n.startsWith('EVENTLAKE_CALLBACKS'))).toBe(false);
  });
});

describe('loadConfig: one sentence per mistake', () => {
  it('names an unknown key and the known one it is closest to', async () => {
    expect(await yamlError('schedule:\n  corn: "0 * * * *"\n')).toBe('eventlake.config.yaml: schedule.corn is not a known key (did you mean cron?)');
    expect(await yamlError('scedule: {}\n')).toBe('eventlake.config.yaml: scedule is not a known key (did you mean schedule?)');
    expect(await yamlError('callbacks: [{ on: all, comand: x }]\n')).toBe('eventlake.config.yaml: callbacks[0].comand is not a known key (did you mean command?)');
    expect(await yamlError('quality: { colour: blue }\n')).toBe('eventlake.config.yaml: quality.colour is not a known key (known keys: maxQuarantinedShare)');
  });

  it.each([
    ['schedule: { maxActiveRuns: two }', 'schedule.maxActiveRuns must be a whole number from 1 to 1,000 (got "two")'],
    ['workers: 0', 'workers must be a whole number from 1 to 256 (got 0)'],
    ['retries: { count: 1.5 }', 'retries.count must be a whole number from 0 to 100 (got 1.5)'],
    ['quality: { maxQuarantinedShare: 2 }', 'quality.maxQuarantinedShare must be a number from 0 to 1 (got 2)'],
    ['schedule: { catchup: "yes" }', 'schedule.catchup must be true or false (got "yes")'],
    ['lake: { format: parqet }', 'lake.format must be one of parquet or avro (got "parqet"; did you mean parquet?)'],
    ['source: { layout: deep }', 'source.layout must be one of any, flat or nested (got "deep")'],
    ['lateData: { action: panic }', 'lateData.action must be one of rerun, alert or ignore (got "panic")'],
    ['retries: { delay: 10 minutes }', 'retries.delay must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds (got "10 minutes")'],
    ['schedule: { tick: true }', 'schedule.tick must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds, at least 100ms (got true)'],
    ['deadlines: { afterHourEnd: -5 }', 'deadlines.afterHourEnd must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds, or none to disable it (got -5)'],
    ['source: { timezone: Mars/Olympus }', 'source.timezone must be an IANA time zone such as UTC or Europe/Berlin (got "Mars/Olympus")'],
    ['schedule: { cron: every hour }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "every hour": it has 2 fields, five are needed (minute hour day-of-month month day-of-week))'],
    ['schedule: { cron: "0 * * *" }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "0 * * *": it has 4 fields, five are needed (minute hour day-of-month month day-of-week))'],
    ['schedule: { cron: "0 0 * * * *" }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "0 0 * * * *": it has 6 fields, five are needed (minute hour day-of-month month day-of-week))'],
    ['schedule: { cron: "H * * * *" }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "H * * * *": hashed fields (H) are not supported)'],
    ['schedule: { cron: "@minutely" }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "@minutely": the aliases are @hourly, @daily, @weekly, @weekdays, @weekends, @monthly, @yearly, @annually)'],
    ['schedule: { cron: "0 0 29 2 *" }', 'schedule.cron must be a cron expression of five fields such as "0 * * * *", or an alias such as @hourly (got "0 0 29 2 *": it fires less than once a year (29 February only), which schedules almost nothing)'],
    ['schedule: { maxActiveRuns: 1e12 }', 'schedule.maxActiveRuns must be a whole number from 1 to 1,000 (got 1000000000000)'],
    ['retention: { finishedRuns: 0s }', 'retention.finishedRuns must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds of at least 1h, or none to disable it (got "0s")'],
    ['lateData: { window: 30m }', 'lateData.window must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds, at least 1h, at most 31d (got "30m")'],
    ['retries: { visibilityTimeout: 1ms }', 'retries.visibilityTimeout must be a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds, at least 1s, at most 12h (got "1ms")'],
    ['retries: { count: 1000 }', 'retries.count must be a whole number from 0 to 100 (got 1000)'],
    ['workers: 100000', 'workers must be a whole number from 1 to 256 (got 100000)'],
    ['schedule: { start: 2019-02-30T01 }', 'schedule.start must be an hour such as 2019-06-01T15 (got "2019-02-30T01")'],
    ['schedule: { catchup: true }', 'schedule.start must be set to the first hour to catch up from, such as 2019-06-01T15, when schedule.catchup is true (got nothing)'],
    ['state: ""', 'state must be a folder path (got "")'],
    ['lake: { codec: 5 }', 'lake.codec must be a codec name (got 5)'],
    ['schedule: hourly', 'schedule must be a mapping of keys (got "hourly")'],
    ['- workers: 2', 'the configuration must be a mapping of keys (got a list)'],
    ['callbacks: { on: all }', 'callbacks must be a list of callbacks (got a mapping)'],
    ['callbacks: [{ on: [], command: x }]', 'callbacks[0].on must name at least one event (success, failure, retry, deadline_miss, late_data or quality) or all (got an empty list)'],
    ['callbacks: [{ on: [failure, sucess], command: x }]', 'callbacks[0].on[1] must be one of success, failure, retry, deadline_miss, late_data, quality or all (got "sucess"; did you mean success?)'],
  ])('%s', async (yaml, message) => {
    expect(await yamlError(yaml)).toBe(`eventlake.config.yaml: ${message}`);
  });

  it("refuses a webhook on a port fetch will not connect to, naming the port but not the URL", async () => {
    const message = await yamlError('callbacks: [{ on: all, webhook: { url: "http://127.0.0.1:6000/s3cret" } }]');
    expect(message).toBe(
      `eventlake.config.yaml: callbacks[0].webhook.url is on port 6000, which fetch refuses to connect to (the Fetch standard's "bad ports"); use another port`,
    );
    const config = await loadYaml('callbacks: [{ on: all, webhook: { url: "http://127.0.0.1:6001/h" } }]');
    expect(config.callbacks[0]).toMatchObject({ target: { kind: 'webhook', url: 'http://127.0.0.1:6001/h' } });
  });

  it('never echoes a webhook URL or header value', async () => {
    const url = await yamlError('callbacks: [{ on: all, webhook: { url: "hooks.example.com/T0/s3cret" } }]');
    expect(url).toBe('eventlake.config.yaml: callbacks[0].webhook.url must be an http:// or https:// URL (the value is not shown, as it may hold a secret)');
    const header = await yamlError('callbacks: [{ on: all, webhook: { url: "https://h", headers: { Authorization: 12345 } } }]');
    expect(header).toBe('eventlake.config.yaml: callbacks[0].webhook.headers.Authorization must be a string (the value is not shown, as it may hold a secret)');
    for (const yaml of ['callbacks: [{ on: all, webhook: { url: "https://h", headers: "Bearer s3cret" } }]', 'callbacks: [{ on: all, webhook: "https://h/s3cret" }]']) {
      expect(await yamlError(yaml)).not.toContain('s3cret');
    }
  });
});

describe('loadConfig: callbacks', () => {
  it('expands "all", names unnamed callbacks by position and fills target defaults', async () => {
    const yaml = [
      'callbacks:',
      '  - on: all',
      '    command: ./notify.sh',
      '  - name: ops',
      '    on: [failure, all]',
      '    webhook:',
      '      url: https://hooks.example.com/x',
      '      headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" }',
      '  - on: [failure, retry, failure]',
      '    command: ./page.sh',
      '    timeout: 5s',
      '    retries: 2',
    ].join('\n');
    const { callbacks } = await loadYaml(yaml);
    expect(callbacks).toEqual([
      { name: 'callbacks[0]', on: [...CALLBACK_EVENTS], target: { kind: 'command', command: './notify.sh', timeoutMs: 30_000, retries: 0 } },
      {
        name: 'ops',
        on: [...CALLBACK_EVENTS],
        target: { kind: 'webhook', url: 'https://hooks.example.com/x', timeoutMs: 10_000, retries: 3, headers: { Authorization: 'Bearer ${env:HOOK_TOKEN}' } },
      },
      { name: 'callbacks[2]', on: ['failure', 'retry'], target: { kind: 'command', command: './page.sh', timeoutMs: 5_000, retries: 2 } },
    ]);
  });

  it('wants exactly one of webhook or command, and a webhook keeps its settings inside', async () => {
    expect(await yamlError('callbacks: [{ on: all, command: x, webhook: { url: "https://h" } }]')).toBe(
      'eventlake.config.yaml: callbacks[0] must have exactly one of webhook or command (got both)',
    );
    expect(await yamlError('callbacks: [{ on: all }]')).toBe('eventlake.config.yaml: callbacks[0] must have exactly one of webhook or command (got neither)');
    expect(await yamlError('callbacks: [{ on: all, timeout: 5s, webhook: { url: "https://h" } }]')).toBe(
      "eventlake.config.yaml: callbacks[0].timeout is only for a command callback (a webhook's timeout goes under webhook)",
    );
  });
});

describe('starter config', () => {
  it('loads back to exactly the defaults', async () => {
    const cwd = await folderWith({ 'eventlake.config.yaml': starterConfigYaml() });
    expect(await loadConfig({ cwd, env: {} })).toEqual({ config: defaultsIn(cwd), file: join(cwd, 'eventlake.config.yaml') });
  });

  it('lists every key of the schema, and shows the callback examples', () => {
    const yaml = starterConfigYaml();
    for (const { path } of scalarKeys(eventlakeConfigSchema)) expect(yaml).toMatch(new RegExp(`^[ #]*${path.at(-1)}: `, 'm'));
    expect(yaml).toContain('Authorization: "Bearer ${env:HOOK_TOKEN}"');
    expect(yaml).toContain('command: ./notify.sh');
  });

  it('writes JSON for a .json name, which loads back to exactly the defaults', async () => {
    const cwd = await folderWith();
    await writeStarterConfig(join(cwd, 'eventlake.config.json'), { force: false });
    const text = await readFile(join(cwd, 'eventlake.config.json'), 'utf8');
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(await loadConfig({ cwd, env: {} })).toEqual({ config: defaultsIn(cwd), file: join(cwd, 'eventlake.config.json') });
  });

  it('refuses to overwrite a file unless forced', async () => {
    const dir = await folderWith({ 'eventlake.config.yaml': 'workers: 1\n' });
    const path = join(dir, 'eventlake.config.yaml');
    expect(await errorOf(writeStarterConfig(path, { force: false }))).toBe(`${path} already exists; use --force to replace it`);
    expect(await readFile(path, 'utf8')).toBe('workers: 1\n');
    await writeStarterConfig(path, { force: true });
    expect(await readFile(path, 'utf8')).toBe(starterConfigYaml());
    const fresh = join(dir, 'new.yaml');
    await writeStarterConfig(fresh, { force: false });
    expect(await readFile(fresh, 'utf8')).toBe(starterConfigYaml());
  });
});
