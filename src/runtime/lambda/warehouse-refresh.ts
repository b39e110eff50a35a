/**
 * After the hour's close, the warehouse: when Snowflake is configured (SNOWFLAKE_SECRET_ID, as the
 * stack sets it, or SNOWFLAKE_ACCOUNT), the published hour is refreshed in its external tables and
 * loaded, so it is queryable minutes after its close rather than at the hourly task's :30.
 *
 * A failure here never fails the task: the hour is published and recorded, and the hourly task
 * loads it anyway. It is logged as one line and answered as a warning, naming no credential.
 */
import pino, { type Logger } from 'pino';
import type { SqlConnection } from '../../warehouse/warehouse-target.js';
import {
  loadWarehouseTarget,
  openWarehouseConnection,
  warehouseEnv,
  type HourRefresh,
  type SecretFetcher,
} from '../../warehouse/warehouse-target-registry.js';

type Env = Readonly<Record<string, string | undefined>>;

const SNOWFLAKE = { kind: 'snowflake' } as const;

export type WarehouseRefresh =
  | ({ readonly outcome: 'refreshed' } & HourRefresh)
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly warning: string };

/** What the worker calls after a close: the hour's label in, the outcome out; never throws. */
export type RefreshWarehouse = (hour: string) => Promise<WarehouseRefresh>;

export interface WarehouseRefreshDeps {
  readonly env?: Env;
  /** Reads the Snowflake secret (AWS Secrets Manager by default). */
  readonly fetchSecret?: SecretFetcher;
  /** Opens the connection from the resolved environment (snowflake-sdk through the registry by default). */
  readonly connect?: (env: Env) => Promise<SqlConnection>;
  /** Where the failure line goes: JSON on stderr by default (stdout is `eventlake lambda invoke`'s answer). */
  readonly warn?: (fields: Record<string, unknown>, message: string) => void;
}

let stderrLog: Logger | undefined;
function warnOnStderr(fields: Record<string, unknown>, message: string): void {
  stderrLog ??= pino({ base: { service: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'eventlake' } }, pino.destination(2));
  stderrLog.warn(fields, message);
}

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** An error's first line with every credential the environment holds blotted out. */
function safeMessage(error: unknown, env: Env): string {
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  for (const name of ['SNOWFLAKE_PASSWORD', 'SNOWFLAKE_PRIVATE_KEY', 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE']) {
    const value = present(env, name);
    if (value !== undefined) message = message.split(value).join('***');
  }
  return message;
}

export async function refreshWarehouse(hour: string, deps: WarehouseRefreshDeps = {}): Promise<WarehouseRefresh> {
  const given = deps.env ?? process.env;
  if (present(given, 'SNOWFLAKE_SECRET_ID') === undefined && present(given, 'SNOWFLAKE_ACCOUNT') === undefined) {
    return { outcome: 'skipped', reason: 'Snowflake is not configured (neither SNOWFLAKE_SECRET_ID nor SNOWFLAKE_ACCOUNT is set)' };
  }
  let env = given;
  const fail = (step: string, error: unknown): WarehouseRefresh => {
    const warning = `the warehouse refresh of hour ${hour} failed ${step}: ${safeMessage(error, env)}; the hourly load will pick the hour up`;
    (deps.warn ?? warnOnStderr)({ hour, warning }, 'warehouse refresh failed');
    return { outcome: 'failed', warning };
  };
  try {
    env = await warehouseEnv(SNOWFLAKE, given, deps.fetchSecret);
  } catch (error) {
    return fail('reading the Snowflake secret', error);
  }
  // The stack deploys the secret empty, before Snowflake exists: nothing to refresh yet.
  if (present(env, 'SNOWFLAKE_ACCOUNT') === undefined) {
    return { outcome: 'skipped', reason: 'Snowflake is not configured yet (its secret names no account)' };
  }
  const database = present(env, 'SNOWFLAKE_DATABASE');
  const schema = present(env, 'SNOWFLAKE_SCHEMA');
  if (database === undefined || schema === undefined) {
    return fail('before connecting', new Error('set SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA (or database and schema in the secret) to the lake\'s'));
  }
  let connection: SqlConnection;
  try {
    connection = await (deps.connect ?? ((resolved) => openWarehouseConnection(SNOWFLAKE, resolved)))(env);
  } catch (error) {
    return fail('connecting', error);
  }
  try {
    const target = await loadWarehouseTarget(SNOWFLAKE);
    return { outcome: 'refreshed', ...(await target.refreshHour(connection, { database, schema }, hour)) };
  } catch (error) {
    return fail('in Snowflake', error);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
