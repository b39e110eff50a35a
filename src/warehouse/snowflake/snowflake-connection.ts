/**
 * A real Snowflake connection (snowflake-sdk), configured only from the environment:
 * SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, and SNOWFLAKE_PASSWORD, or key-pair authentication with
 * SNOWFLAKE_PRIVATE_KEY (the PEM text, as a Lambda has it from its secret) or
 * SNOWFLAKE_PRIVATE_KEY_PATH (a key file), either with SNOWFLAKE_PRIVATE_KEY_PASSPHRASE if the
 * key is encrypted; SNOWFLAKE_ROLE, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA
 * are optional; or SNOWFLAKE_SECRET_ID, an AWS Secrets Manager secret holding them
 * (snowflake-secret.ts). Credentials never come from arguments, and no error prints a value.
 */
import { createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors/user-error.js';
import type { Binds } from 'snowflake-sdk';
import type { SqlConnection } from '../warehouse-target.js';
import { withSecretEnv } from './snowflake-secret.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface SnowflakeSettings {
  readonly account: string;
  readonly username: string;
  readonly auth:
    | { readonly password: string }
    /** Decrypted, as PKCS#8 PEM: the only form snowflake-sdk takes a key's text in. */
    | { readonly privateKey: string }
    | { readonly privateKeyPath: string; readonly privateKeyPass?: string };
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

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/**
 * The key's text as snowflake-sdk takes it, an unencrypted PKCS#8 PEM (as Snowflake's Node.js
 * docs do it: node:crypto with the passphrase, exported again). PKCS#1 keys are accepted too, and
 * `\n` written as two characters (how a PEM often lands in one environment variable) as newlines.
 */
function decryptedPem(text: string, passphrase: string | undefined): string {
  const pem = text.includes('\n') ? text : text.replace(/\\n/g, '\n');
  if (passphrase === undefined && ENCRYPTED_PEM.test(pem)) {
    throw new UserError('The Snowflake private key (SNOWFLAKE_PRIVATE_KEY) is encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE too.');
  }
  try {
    const key = createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
    return key.export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch {
    // OpenSSL's message names no part of the key, but it says nothing useful either.
    throw new UserError('The Snowflake private key (SNOWFLAKE_PRIVATE_KEY) could not be read: it is not a PEM private key, or SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is wrong.');
  }
}

/** Reads the connection settings from the environment; a missing one is named, never a value. */
export function snowflakeSettings(env: Env = process.env): SnowflakeSettings {
  const account = required(env, 'SNOWFLAKE_ACCOUNT');
  const username = required(env, 'SNOWFLAKE_USER');
  const password = present(env, 'SNOWFLAKE_PASSWORD');
  const privateKey = present(env, 'SNOWFLAKE_PRIVATE_KEY');
  const privateKeyPath = present(env, 'SNOWFLAKE_PRIVATE_KEY_PATH');
  const privateKeyPass = present(env, 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE');
  // A key wins over a password; the key's text over a key file.
  let auth: SnowflakeSettings['auth'];
  if (privateKey !== undefined) {
    auth = { privateKey: decryptedPem(privateKey, privateKeyPass) };
  } else if (privateKeyPath !== undefined) {
    auth = privateKeyPass === undefined ? { privateKeyPath } : { privateKeyPath, privateKeyPass };
  } else if (password !== undefined) {
    auth = { password };
  } else {
    throw new UserError('Set the environment variable SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY or SNOWFLAKE_PRIVATE_KEY_PATH to connect to Snowflake.');
  }
  const optional = (name: string): Record<string, string> => {
    const value = present(env, `SNOWFLAKE_${name.toUpperCase()}`);
    return value === undefined ? {} : { [name]: value };
  };
  return { account, username, auth, ...optional('role'), ...optional('warehouse'), ...optional('database'), ...optional('schema') };
}

/** snowflake-sdk's options for the authentication the settings name. */
export function snowflakeAuthOptions(auth: SnowflakeSettings['auth']): Record<string, string | undefined> {
  if ('password' in auth) return { password: auth.password };
  if ('privateKey' in auth) return { authenticator: 'SNOWFLAKE_JWT', privateKey: auth.privateKey };
  return { authenticator: 'SNOWFLAKE_JWT', privateKeyPath: auth.privateKeyPath, privateKeyPass: auth.privateKeyPass };
}

/** Where the driver's own log goes: a file in the temporary folder (Lambda's /tmp), never stdout. */
export function snowflakeLogFile(): string {
  return join(tmpdir(), 'eventlake-snowflake.log');
}

/**
 * snowflake-sdk logs through winston to the console (stdout) and to `snowflake.log` in the working
 * directory (read-only in Lambda) by default: stdout is `eventlake lambda invoke`'s answer and the
 * function's log of JSON lines. Its errors only, to a file, nothing to the console; eventlake
 * reports what failed in its own sentence.
 */
export function configureSnowflakeLogger(snowflake: Pick<typeof import('snowflake-sdk'), 'configure'>, logFile = snowflakeLogFile()): void {
  snowflake.configure({ logLevel: 'ERROR', logFilePath: logFile, additionalLogToConsole: false });
}

/** Opens a connection; the driver is loaded only here, after the settings are known to be complete. */
export async function openSnowflakeConnection(env: Env = process.env): Promise<SqlConnection> {
  const settings = snowflakeSettings(await withSecretEnv(env));
  const { default: snowflake } = await import('snowflake-sdk');
  configureSnowflakeLogger(snowflake);
  const connection = snowflake.createConnection({
    account: settings.account,
    username: settings.username,
    ...snowflakeAuthOptions(settings.auth),
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
