/**
 * Snowflake credentials from AWS Secrets Manager: with `SNOWFLAKE_SECRET_ID` set, the secret (a
 * JSON object with `account`, `user`, and `password`, `private_key` (the PEM text itself, what a
 * Lambda needs: it has no key file) or `private_key_path`, with `private_key_passphrase` for an
 * encrypted key, and optionally `role`, `warehouse`, `database`, `schema`) fills the SNOWFLAKE_*
 * settings the environment does not set itself. The AWS SDK finds its own credentials
 * (environment, profile, role); no value ever reaches an argument, a log or an error.
 */
import { UserError } from '../../errors/user-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Fetches a secret's string by id; the real one asks AWS Secrets Manager. */
export type SecretFetcher = (secretId: string) => Promise<string>;

const KEYS: Record<string, string> = {
  account: 'SNOWFLAKE_ACCOUNT',
  user: 'SNOWFLAKE_USER',
  password: 'SNOWFLAKE_PASSWORD',
  private_key: 'SNOWFLAKE_PRIVATE_KEY',
  private_key_path: 'SNOWFLAKE_PRIVATE_KEY_PATH',
  private_key_passphrase: 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
  role: 'SNOWFLAKE_ROLE',
  warehouse: 'SNOWFLAKE_WAREHOUSE',
  database: 'SNOWFLAKE_DATABASE',
  schema: 'SNOWFLAKE_SCHEMA',
};

/** The keys a secret may hold, in the order a template lists them. */
export const SNOWFLAKE_SECRET_FIELDS: readonly string[] = Object.keys(KEYS);

const NOT_AN_OBJECT = 'is not a JSON object with account, user and password, private_key or private_key_path';

export const fetchFromSecretsManager: SecretFetcher = async (secretId) => {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) throw new UserError(`AWS secret ${secretId} holds no text (a binary secret cannot hold Snowflake credentials)`);
    return answer.SecretString;
  } catch (err) {
    if (err instanceof UserError) throw err;
    // The error's name and, for a connection that failed, its code (ECONNREFUSED, ENOTFOUND): never its
    // message, which may quote the request.
    const code = (err as { code?: unknown }).code;
    throw new UserError(`could not read AWS secret ${secretId}: ${(err as Error).name}${typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? ` (${code})` : ''}`);
  } finally {
    client.destroy();
  }
};

/** The environment, with what the secret holds added where the environment is silent. */
export async function withSecretEnv(env: Env, fetch: SecretFetcher = fetchFromSecretsManager): Promise<Env> {
  const secretId = env['SNOWFLAKE_SECRET_ID']?.trim();
  if (!secretId) return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fetch(secretId));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`AWS secret ${secretId} ${NOT_AN_OBJECT}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`AWS secret ${secretId} ${NOT_AN_OBJECT}`);
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [key, variable] of Object.entries(KEYS)) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string' && (merged[variable] === undefined || merged[variable]?.trim() === '')) merged[variable] = value;
  }
  return merged;
}
