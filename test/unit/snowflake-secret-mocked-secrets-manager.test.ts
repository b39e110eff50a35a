/**
 * Snowflake credentials from AWS Secrets Manager. No AWS account is reachable here: the secret
 * comes from a mocked fetcher standing for Secrets Manager's GetSecretValue.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import snowflake from 'snowflake-sdk';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.js';
import { withSecretEnv } from '../../src/warehouse/snowflake/snowflake-secret.js';
import { snowflakeAuthOptions, snowflakeSettings } from '../../src/warehouse/snowflake/snowflake-connection.js';

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
      /^AWS secret s is not a JSON object with account, user and password, private_key or private_key_path$/,
    );
    await expect(withSecretEnv({ SNOWFLAKE_SECRET_ID: 's' }, async () => '"hunter2"')).rejects.not.toThrow(/hunter2/);
  });
});

// A key pair made here, as `openssl genrsa` + `openssl pkcs8` would for Snowflake's key-pair authentication.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PASSPHRASE = 'correct horse battery staple';
const PKCS8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const PKCS1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const ENCRYPTED = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }).toString();
const keySecret = (fields: Record<string, string>): string => JSON.stringify({ account: 'xy12345.eu-west-1', user: 'loader', ...fields });
/** The same key? Compared by public half, so no private key text is printed on a failure. */
const publicOf = (pem: string): string => createPublicKey(createPrivateKey(pem)).export({ format: 'pem', type: 'spki' }).toString();

async function settingsFrom(secret: string, env: Record<string, string> = {}): Promise<ReturnType<typeof snowflakeSettings>> {
  return snowflakeSettings(await withSecretEnv({ SNOWFLAKE_SECRET_ID: 'prod/snowflake', ...env }, async () => secret));
}

async function userErrorOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('a private key held in the secret (mocked Secrets Manager)', () => {
  it('reads an unencrypted key, PKCS#8 or PKCS#1, as the PKCS#8 PEM snowflake-sdk takes, over a password', async () => {
    for (const pem of [PKCS8, PKCS1]) {
      const { auth } = await settingsFrom(keySecret({ private_key: pem, password: 'unused' }));
      expect(Object.keys(auth)).toEqual(['privateKey']);
      const key = (auth as { privateKey: string }).privateKey;
      expect(key.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
      expect(publicOf(key)).toBe(publicOf(PKCS8));
    }
  });

  it('decrypts an encrypted key with private_key_passphrase', async () => {
    const { auth } = await settingsFrom(keySecret({ private_key: ENCRYPTED, private_key_passphrase: PASSPHRASE }));
    const key = (auth as { privateKey: string }).privateKey;
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicOf(key)).toBe(publicOf(PKCS8));
  });

  it('hands snowflake-sdk options its own checks accept (the encrypted PEM as is would be refused)', async () => {
    const { auth } = await settingsFrom(keySecret({ private_key: ENCRYPTED, private_key_passphrase: PASSPHRASE }));
    const options = snowflakeAuthOptions(auth);
    expect(Object.keys(options).sort()).toEqual(['authenticator', 'privateKey']);
    expect(options['authenticator']).toBe('SNOWFLAKE_JWT');
    // createConnection validates its options and connects to nothing.
    snowflake.configure({ logLevel: 'ERROR' });
    const base = { account: 'xy12345.eu-west-1', username: 'loader' };
    expect(() => snowflake.createConnection({ ...base, ...options })).not.toThrow();
    expect(() => snowflake.createConnection({ ...base, authenticator: 'SNOWFLAKE_JWT', privateKey: ENCRYPTED })).toThrow(/private key/i);
  });

  it('reads the key from SNOWFLAKE_PRIVATE_KEY with its newlines written as \\n, as one environment variable often holds it', () => {
    const oneLine = ENCRYPTED.trimEnd().split('\n').join('\\n');
    expect(oneLine).not.toContain('\n');
    const { auth } = snowflakeSettings({ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PRIVATE_KEY: oneLine, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: PASSPHRASE });
    expect(publicOf((auth as { privateKey: string }).privateKey)).toBe(publicOf(PKCS8));
  });

  it('says in one sentence when the key is encrypted and no passphrase is given, or the passphrase is wrong, never printing either', async () => {
    expect(await userErrorOf(() => settingsFrom(keySecret({ private_key: ENCRYPTED })))).toBe(
      'The Snowflake private key (SNOWFLAKE_PRIVATE_KEY) is encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE too.',
    );
    const wrong = await userErrorOf(() => settingsFrom(keySecret({ private_key: ENCRYPTED, private_key_passphrase: 'not-the-passphrase' })));
    expect(wrong).toBe('The Snowflake private key (SNOWFLAKE_PRIVATE_KEY) could not be read: it is not a PEM private key, or SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is wrong.');
    const garbage = await userErrorOf(() => settingsFrom(keySecret({ private_key: 'hunter2-not-a-key' })));
    expect(garbage).toBe(wrong);
    for (const message of [wrong, garbage]) {
      for (const secret of ['not-the-passphrase', 'hunter2', ENCRYPTED.split('\n')[1]!]) expect(message).not.toContain(secret);
    }
  });

  it('lets the environment\'s key file win over the secret\'s empty key field (the stack\'s template leaves every field empty)', async () => {
    const { auth } = await settingsFrom(keySecret({ private_key: '', password: '' }), { SNOWFLAKE_PRIVATE_KEY_PATH: '/keys/rsa_key.p8' });
    expect(auth).toEqual({ privateKeyPath: '/keys/rsa_key.p8' });
  });
});
