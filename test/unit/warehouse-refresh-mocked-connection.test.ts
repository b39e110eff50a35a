/**
 * The warehouse refresh after an hour's close. No Snowflake and no AWS here: the connection is a
 * mocked one (connect is injected) and the secret comes from a mocked Secrets Manager fetcher; the
 * secret's merge, the statements and the outcome are the real ones.
 */
import { describe, expect, it, vi } from 'vitest';
import { refreshDeadlineMs, refreshWarehouse } from '../../src/runtime/lambda/warehouse-refresh.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';
import { waitFor } from '../helpers/processes.js';

type Env = Readonly<Record<string, string | undefined>>;

const PASSWORD = 'hunter2-do-not-print';
const SECRET = JSON.stringify({ account: 'xy12345.eu-west-1', user: 'loader', password: PASSWORD, database: 'analytics', schema: 'eventlake', warehouse: 'transform_wh' });

class MockedConnection implements SqlConnection {
  readonly sent: string[] = [];
  closed = 0;
  constructor(private readonly fail?: (sql: string) => Error | undefined) {}
  async execute(sql: string): Promise<Record<string, unknown>[]> {
    this.sent.push(sql);
    const error = this.fail?.(sql);
    if (error) throw error;
    return sql.startsWith('EXECUTE TASK') ? [{ status: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' }] : [{ status: 'Statement executed successfully.' }];
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function harness(connection: SqlConnection) {
  const connectedWith: Env[] = [];
  const secretsAsked: string[] = [];
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    connectedWith,
    secretsAsked,
    warnings,
    deps: (env: Env, secret = SECRET) => ({
      env,
      fetchSecret: async (id: string) => {
        secretsAsked.push(id);
        return secret;
      },
      connect: async (resolved: Env) => {
        connectedWith.push(resolved);
        return connection;
      },
      warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    }),
  };
}

describe('the warehouse refresh after a close (mocked connection, mocked Secrets Manager)', () => {
  it('is skipped, touching nothing, when neither SNOWFLAKE_SECRET_ID nor SNOWFLAKE_ACCOUNT is set', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    expect(await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_USER: 'loader', SNOWFLAKE_SECRET_ID: '  ' }))).toEqual({
      outcome: 'skipped',
      reason: 'Snowflake is not configured (neither SNOWFLAKE_SECRET_ID nor SNOWFLAKE_ACCOUNT is set)',
    });
    expect([h.secretsAsked, h.connectedWith, connection.sent, h.warnings]).toEqual([[], [], [], []]);
  });

  it('is skipped while the stack\'s secret is still the empty template', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    const template = JSON.stringify({ account: '', user: '', password: '', private_key: '', database: '', schema: '' });
    expect(await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }, template))).toEqual({
      outcome: 'skipped',
      reason: 'Snowflake is not configured yet (its secret names no account)',
    });
    expect(h.secretsAsked).toEqual(['arn:secret']);
    expect(h.connectedWith).toEqual([]);
  });

  it('reads the secret once, connects with its settings, refreshes the hour in the database and schema it names, and closes', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    const result = await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret', SNOWFLAKE_ROLE: 'LOADER' }));
    expect(result).toEqual({ outcome: 'refreshed', statements: 3, load: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' });
    expect(connection.sent).toEqual([
      `ALTER EXTERNAL TABLE "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE" REFRESH 'date=2019-06-01/hour=15/'`,
      `ALTER EXTERNAL TABLE "ANALYTICS"."EVENTLAKE"."LAKE_OPERATING_PERIOD" REFRESH 'date=2019-06-01/hour=15/'`,
      `EXECUTE TASK "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURLY"`,
    ]);
    expect(connection.closed).toBe(1);
    expect(h.secretsAsked).toEqual(['arn:secret']);
    // The connection gets the merged settings, without the secret's id: opening it reads the secret no more.
    expect(h.connectedWith).toHaveLength(1);
    expect(h.connectedWith[0]).toMatchObject({ SNOWFLAKE_ACCOUNT: 'xy12345.eu-west-1', SNOWFLAKE_PASSWORD: PASSWORD, SNOWFLAKE_ROLE: 'LOADER', SNOWFLAKE_SECRET_ID: undefined });
    expect(h.warnings).toEqual([]);
  });

  it('lets the environment name the database and schema without a secret', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    const env = { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: PASSWORD, SNOWFLAKE_DATABASE: 'lake_db', SNOWFLAKE_SCHEMA: 'public' };
    expect(await refreshWarehouse('2019-06-01T15', h.deps(env))).toMatchObject({ outcome: 'refreshed' });
    expect(h.secretsAsked).toEqual([]);
    expect(connection.sent[2]).toBe('EXECUTE TASK "LAKE_DB"."PUBLIC"."LOAD_LAKE_HOURLY"');
  });

  it('answers a failure in Snowflake as a warning, logged once, with the password blotted out, and still closes the connection', async () => {
    const connection = new MockedConnection((sql) => (sql.startsWith('EXECUTE TASK') ? new Error(`Execution error in task: bad login ${PASSWORD}\nstack…`) : undefined));
    const h = harness(connection);
    const result = await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }));
    const warning = 'the warehouse refresh of hour 2019-06-01T15 failed in Snowflake: Execution error in task: bad login ***; the hourly load will pick the hour up';
    expect(result).toEqual({ outcome: 'failed', warning });
    expect(h.warnings).toEqual([{ fields: { hour: '2019-06-01T15', warning }, message: 'warehouse refresh failed' }]);
    expect(JSON.stringify(h.warnings)).not.toContain(PASSWORD);
    expect(connection.closed).toBe(1);
  });

  it('answers an unreadable secret, a failed connection and a missing database as warnings, never throwing', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    const unreadable = await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }, 'not json'));
    expect(unreadable).toEqual({
      outcome: 'failed',
      warning: 'the warehouse refresh of hour 2019-06-01T15 failed reading the Snowflake secret: AWS secret arn:secret is not a JSON object with account, user and password, private_key or private_key_path; the hourly load will pick the hour up',
    });

    const refused = await refreshWarehouse('2019-06-01T15', {
      ...h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }),
      connect: async () => {
        throw new Error('Could not connect to Snowflake account xy12345.eu-west-1 as loader: Incorrect username or password was specified.');
      },
    });
    expect(refused).toMatchObject({ outcome: 'failed', warning: expect.stringContaining('failed connecting: Could not connect to Snowflake account xy12345.eu-west-1 as loader') });

    const noSchema = await refreshWarehouse('2019-06-01T15', h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }, JSON.stringify({ account: 'a', user: 'u', password: PASSWORD, database: 'analytics' })));
    expect(noSchema).toEqual({
      outcome: 'failed',
      warning: "the warehouse refresh of hour 2019-06-01T15 failed before connecting: set SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA (or database and schema in the secret) to the lake's; the hourly load will pick the hour up",
    });
    expect(h.connectedWith).toEqual([]);
    expect(h.warnings).toHaveLength(3);
    expect(JSON.stringify(h.warnings)).not.toContain(PASSWORD);
  });

  it('has a deadline of the invocation\'s remaining time less 15 s; past it, gives up as a warning and closes without waiting', async () => {
    expect([refreshDeadlineMs(60_000), refreshDeadlineMs(15_000), refreshDeadlineMs(3_000)]).toEqual([45_000, 0, 0]);
    // A Snowflake that never answers the load.
    let closeAsked = 0;
    const hanging: SqlConnection = {
      execute: (sql) => (sql.startsWith('EXECUTE TASK') ? new Promise(() => undefined) : Promise.resolve([])),
      close: () => {
        closeAsked++;
        return new Promise(() => undefined);
      },
    };
    const h = harness(hanging);
    const asked: number[] = [];
    let fire = (): void => undefined;
    const timer = new Promise<void>((resolve) => (fire = resolve));
    const refreshing = refreshWarehouse('2019-06-01T15', {
      ...h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }),
      deadlineMs: 45_000,
      after: (ms) => (asked.push(ms), timer),
    });
    await waitFor('the load to be sent', () => closeAsked === 0 && h.connectedWith.length === 1);
    fire();
    const warning = "the warehouse refresh of hour 2019-06-01T15 failed in Snowflake: it did not finish within 45 s, the invocation's remaining time less 15 s; the hourly load will pick the hour up";
    expect(await refreshing).toEqual({ outcome: 'failed', warning });
    expect(asked).toEqual([45_000]);
    expect(closeAsked).toBe(1);
    expect(h.warnings.map((w) => w.fields['warning'])).toEqual([warning]);
  });

  it('is skipped, connecting to nothing, when the invocation has no time left for it', async () => {
    const connection = new MockedConnection();
    const h = harness(connection);
    expect(await refreshWarehouse('2019-06-01T15', { ...h.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }), deadlineMs: 0 })).toEqual({
      outcome: 'skipped',
      reason: 'no time left in the invocation for the warehouse refresh of hour 2019-06-01T15; the hourly load will pick the hour up',
    });
    expect([h.secretsAsked, h.connectedWith]).toEqual([[], []]);
  });

  it('writes nothing to stdout, refreshed or failed (its warning goes to stderr)', async () => {
    const printed: string[] = [];
    const keep = (chunk: unknown): boolean => (printed.push(String(chunk)), true);
    const consoleOut = (console as unknown as { _stdout?: NodeJS.WritableStream })._stdout;
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(keep), ...(consoleOut ? [vi.spyOn(consoleOut, 'write').mockImplementation(keep)] : [])];
    const logSpy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    try {
      const ok = harness(new MockedConnection());
      expect((await refreshWarehouse('2019-06-01T15', { ...ok.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' }), deadlineMs: 45_000 })).outcome).toBe('refreshed');
      const failing = harness(new MockedConnection(() => new Error('Execution error')));
      // The default warning line (pino on file descriptor 2), not the harness's.
      const deps = Object.fromEntries(Object.entries(failing.deps({ SNOWFLAKE_SECRET_ID: 'arn:secret' })).filter(([key]) => key !== 'warn')) as Omit<ReturnType<typeof failing.deps>, 'warn'>;
      expect((await refreshWarehouse('2019-06-01T15', { ...deps, deadlineMs: 45_000 })).outcome).toBe('failed');
    } finally {
      for (const spy of [...spies, logSpy]) spy.mockRestore();
    }
    expect(printed).toEqual([]);
  });
});
