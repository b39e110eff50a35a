/**
 * Snowflake credentials from AWS Secrets Manager. No AWS account is reachable here: the secret
 * comes from a mocked fetcher standing for Secrets Manager's GetSecretValue.
 */
import { describe, expect, it } from 'vitest';
import { withSecretEnv } from '../../src/warehouse/snowflake/snowflake-secret.js';
import { snowflakeSettings } from '../../src/warehouse/snowflake/snowflake-connection.js';

const SECRET = JSON.stringify({ account: 'xy12345.eu-west-1', user: 'loader', password: 'from-the-secret', warehouse: 'transform_wh' });

describe('SNOWFLAKE_SECRET_ID (mocked Secrets Manager)', () => {
  it('fills the settings the environment does not set, from the secret named', async () => {
    const asked: string[] = [];
    const env = await withSecretEnv({ SNOWFLAKE_SECRET_ID: 'prod/snowflake', SNOWFLAKE_ROLE: 'LOADER' }, async (id) => {
      asked.push(id);
      return SECRET;
    });
    expect(asked).toEqual(['prod/snowflake']);
    expect(snowflakeSettings(env)).toEqual({
      account: 'xy12345.eu-west-1',
      username: 'loader',
      auth: { password: 'from-the-secret' },
      role: 'LOADER',
      warehouse: 'transform_wh',
    });
  });

  it('lets the environment win over the secret, and leaves an environment without the variable alone', async () => {
    const env = await withSecretEnv({ SNOWFLAKE_SECRET_ID: 's', SNOWFLAKE_USER: 'me' }, async () => SECRET);
    expect(env['SNOWFLAKE_USER']).toBe('me');
    const untouched = { SNOWFLAKE_ACCOUNT: 'a' };
    expect(await withSecretEnv(untouched, async () => SECRET)).toBe(untouched);
  });

  it('says in one sentence when the secret is not a JSON object, never showing its value', async () => {
    await expect(withSecretEnv({ SNOWFLAKE_SECRET_ID: 's' }, async () => 'hunter2-not-json')).rejects.toThrow(
      /^AWS secret s is not a JSON object with account, user and password or private_key_path$/,
    );
    await expect(withSecretEnv({ SNOWFLAKE_SECRET_ID: 's' }, async () => '"hunter2"')).rejects.not.toThrow(/hunter2/);
  });
});
