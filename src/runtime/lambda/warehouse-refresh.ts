/**
 * After the hour's close, the warehouse: when Snowflake is configured (SNOWFLAKE_SECRET_ID, as the
 * stack sets it, or SNOWFLAKE_ACCOUNT), the published hour is refreshed in its external tables and
 * loaded, so it is queryable minutes after its close rather than at the hourly task's :30.
 *
 * A failure here never fails the task: the hour is published and recorded, and the hourly task
 * loads it anyway. It is logged as one line and answered as a warning, naming no credential.
 *
 * It has a deadline: the invocation's remaining time less a margin (the worker passes it). Past
 * it, the refresh is given up as a warning and its connection closed without waiting, so a slow
 * or unreachable Snowflake never runs the function into its timeout, which would fail the close's
 * message after the hour was published. Nothing is written to stdout (`eventlake lambda invoke`'s
 * answer): the warning goes to stderr, the driver's own log to a file (snowflake-connection.ts).
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

/** What the worker calls after a close: the hour's label and the time it may take in, the outcome out; never throws. */
export type RefreshWarehouse = (hour: string, deadlineMs?: number) => Promise<WarehouseRefresh>;

/** Kept back from the invocation's remaining time for what follows the refresh (the log line, the answer). */
export const REFRESH_MARGIN_MS = 15_000;

/** The refresh's deadline from the invocation's remaining time. */
export function refreshDeadlineMs(remainingMs: number): number {
  return Math.max(0, remainingMs - REFRESH_MARGIN_MS);
}

export interface WarehouseRefreshDeps {
  readonly env?: Env;
  /** Reads the Snowflake secret (AWS Secrets Manager by default). */
  readonly fetchSecret?: SecretFetcher;
  /** Opens the connection from the resolved environment (snowflake-sdk through the registry by default). */
  readonly connect?: (env: Env) => Promise<SqlConnection>;
  /** Where the failure line goes: JSON on stderr by default (stdout is `eventlake lambda invoke`'s answer). */
  readonly warn?: (fields: Record<string, unknown>, message: string) => void;
  /** The time the refresh may take (refreshDeadlineMs); none by default. */
  readonly deadlineMs?: number;
  /** The deadline's timer: resolves after `ms` (setTimeout, unref'd, by default). */
  readonly after?: (ms: number) => Promise<void>;
}

const defaultAfter = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

class DeadlinePassed extends Error {}

/** `work`, or a DeadlinePassed once `timer` fires first. */
async function beforeDeadline<T>(work: Promise<T>, timer: Promise<void> | undefined): Promise<T> {
  if (timer === undefined) return work;
  return Promise.race([work, timer.then((): never => { throw new DeadlinePassed(); })]);
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
  const { deadlineMs } = deps;
  if (present(given, 'SNOWFLAKE_SECRET_ID') === undefined && present(given, 'SNOWFLAKE_ACCOUNT') === undefined) {
    return { outcome: 'skipped', reason: 'Snowflake is not configured (neither SNOWFLAKE_SECRET_ID nor SNOWFLAKE_ACCOUNT is set)' };
  }
  let env = given;
  // One timer for the whole refresh: the secret, the connection and the statements share the deadline.
  const timer = deadlineMs === undefined ? undefined : (deps.after ?? defaultAfter)(deadlineMs);
  // A rejection nobody awaits yet (the timer may fire between steps) is not an unhandled one.
  timer?.catch(() => undefined);
  const fail = (step: string, error: unknown): WarehouseRefresh => {
    const why =
      error instanceof DeadlinePassed
        ? `it did not finish within ${Math.round((deadlineMs ?? 0) / 1000)} s, the invocation's remaining time less ${REFRESH_MARGIN_MS / 1000} s`
        : safeMessage(error, env);
    const warning = `the warehouse refresh of hour ${hour} failed ${step}: ${why}; the hourly load will pick the hour up`;
    (deps.warn ?? warnOnStderr)({ hour, warning }, 'warehouse refresh failed');
    return { outcome: 'failed', warning };
  };
  if (deadlineMs !== undefined && deadlineMs <= 0) {
    return { outcome: 'skipped', reason: `no time left in the invocation for the warehouse refresh of hour ${hour}; the hourly load will pick the hour up` };
  }
  try {
    env = await beforeDeadline(warehouseEnv(SNOWFLAKE, given, deps.fetchSecret), timer);
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
  const connecting = (deps.connect ?? ((resolved) => openWarehouseConnection(SNOWFLAKE, resolved)))(env);
  try {
    connection = await beforeDeadline(connecting, timer);
  } catch (error) {
    // A connection that comes up after the deadline is closed then.
    if (error instanceof DeadlinePassed) void connecting.then((late) => late.close()).catch(() => undefined);
    return fail('connecting', error);
  }
  let late = false;
  try {
    const target = await loadWarehouseTarget(SNOWFLAKE);
    return { outcome: 'refreshed', ...(await beforeDeadline(target.refreshHour(connection, { database, schema }, hour), timer)) };
  } catch (error) {
    late = error instanceof DeadlinePassed;
    return fail('in Snowflake', error);
  } finally {
    // Past the deadline the close is not waited for: it may hang as the statement did.
    const closing = connection.close().catch(() => undefined);
    if (!late) await closing;
  }
}
