/**
 * A real Snowflake connection (snowflake-sdk), configured only from the environment:
 * SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, and SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH
 * (key-pair authentication, with SNOWFLAKE_PRIVATE_KEY_PASSPHRASE if the key is encrypted);
 * SNOWFLAKE_ROLE, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA are optional;
 * or SNOWFLAKE_SECRET_ID, an AWS Secrets Manager secret holding them (snowflake-secret.ts).
 * Credentials never come from arguments, and no error prints a value.
 */
import { UserError } from '../../errors/user-error.js';
import type { Binds } from 'snowflake-sdk';
import type { SqlConnection } from '../warehouse-target.js';
import { withSecretEnv } from './snowflake-secret.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface SnowflakeSettings {
  readonly account: string;
  readonly username: string;
  readonly auth: { readonly password: string } | { readonly privateKeyPath: string; readonly privateKeyPass?: string };
  readonly role?: string;
  readonly warehouse?: string;
  readonly database?: string;
  readonly schema?: string;
}

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function required(env: Env, name: string): string {
  const value = present(env, name);
  if (value === undefined) throw new UserError(`Set the environment variable ${name} to connect to Snowflake.`);
  return value;
}

/** Reads the connection settings from the environment; a missing one is named, never a value. */
export function snowflakeSettings(env: Env = process.env): SnowflakeSettings {
  const account = required(env, 'SNOWFLAKE_ACCOUNT');
  const username = required(env, 'SNOWFLAKE_USER');
  const password = present(env, 'SNOWFLAKE_PASSWORD');
  const privateKeyPath = present(env, 'SNOWFLAKE_PRIVATE_KEY_PATH');
  let auth: SnowflakeSettings['auth'];
  if (privateKeyPath !== undefined) {
    const privateKeyPass = present(env, 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE');
    auth = privateKeyPass === undefined ? { privateKeyPath } : { privateKeyPath, privateKeyPass };
  } else if (password !== undefined) {
    auth = { password };
  } else {
    throw new UserError('Set the environment variable SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH to connect to Snowflake.');
  }
  const optional = (name: string): Record<string, string> => {
    const value = present(env, `SNOWFLAKE_${name.toUpperCase()}`);
    return value === undefined ? {} : { [name]: value };
  };
  return { account, username, auth, ...optional('role'), ...optional('warehouse'), ...optional('database'), ...optional('schema') };
}

/** Opens a connection; the driver is loaded only here, after the settings are known to be complete. */
export async function openSnowflakeConnection(env: Env = process.env): Promise<SqlConnection> {
  const settings = snowflakeSettings(await withSecretEnv(env));
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'ERROR' });
  const connection = snowflake.createConnection({
    account: settings.account,
    username: settings.username,
    ...('password' in settings.auth
      ? { password: settings.auth.password }
      : { authenticator: 'SNOWFLAKE_JWT', privateKeyPath: settings.auth.privateKeyPath, privateKeyPass: settings.auth.privateKeyPass }),
    role: settings.role,
    warehouse: settings.warehouse,
    database: settings.database,
    schema: settings.schema,
    application: 'eventlake',
  });
  try {
    await connection.connectAsync();
  } catch (error) {
    // The driver's message names the account or the cause, not the password.
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError(`Could not connect to Snowflake account ${settings.account} as ${settings.username}: ${why}`, { cause: error });
  }
  return {
    execute(sql: string, binds?: unknown[]): Promise<Record<string, unknown>[]> {
      return new Promise((resolve, reject) => {
        connection.execute({
          sqlText: sql,
          ...(binds === undefined ? {} : { binds: binds as Binds }),
          complete(error, _statement, rows) {
            if (error) reject(error);
            else resolve((rows ?? []) as Record<string, unknown>[]);
          },
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve, reject) => {
        connection.destroy((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
