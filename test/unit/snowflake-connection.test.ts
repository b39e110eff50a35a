import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.js';
import { openSnowflakeConnection, snowflakeSettings } from '../../src/warehouse/snowflake/snowflake-connection.js';
import { openWarehouseConnection } from '../../src/warehouse/warehouse-target-registry.js';

const SECRET = 'hunter2-do-not-print';
const FULL = { SNOWFLAKE_ACCOUNT: 'xy12345.eu-central-1', SNOWFLAKE_USER: 'EVENTLAKE', SNOWFLAKE_PASSWORD: SECRET };

async function messageOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('openSnowflakeConnection (environment checks only: no server here)', () => {
  it.each([
    ['SNOWFLAKE_ACCOUNT', { ...FULL, SNOWFLAKE_ACCOUNT: undefined }, 'Set the environment variable SNOWFLAKE_ACCOUNT to connect to Snowflake.'],
    ['SNOWFLAKE_USER', { ...FULL, SNOWFLAKE_USER: '  ' }, 'Set the environment variable SNOWFLAKE_USER to connect to Snowflake.'],
    ['the password or key', { ...FULL, SNOWFLAKE_PASSWORD: undefined }, 'Set the environment variable SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY or SNOWFLAKE_PRIVATE_KEY_PATH to connect to Snowflake.'],
  ])('names a missing %s in one sentence, printing no value', async (_what, env, sentence) => {
    const message = await messageOf(() => openSnowflakeConnection(env));
    expect(message).toBe(sentence);
    for (const value of Object.values(env)) if (value !== undefined && value.trim() !== '') expect(message).not.toContain(value);
    expect(await messageOf(() => openWarehouseConnection({ kind: 'snowflake' }, env))).toBe(sentence);
  });

  it('reads the settings from the environment: password, or a key path that wins over it', () => {
    expect(snowflakeSettings({ ...FULL, SNOWFLAKE_ROLE: 'LOADER' })).toEqual({
      account: 'xy12345.eu-central-1',
      username: 'EVENTLAKE',
      auth: { password: SECRET },
      role: 'LOADER',
    });
    expect(snowflakeSettings({ ...FULL, SNOWFLAKE_PRIVATE_KEY_PATH: '/keys/rsa_key.p8', SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'p' }).auth).toEqual({
      privateKeyPath: '/keys/rsa_key.p8',
      privateKeyPass: 'p',
    });
  });
});
