/**
 * Reading the Snowflake secret from AWS Secrets Manager, with the real SDK against endpoints on
 * loopback (Secrets Manager itself cannot run here): what the error says when it cannot be read.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFromSecretsManager } from '../../src/warehouse/snowflake/snowflake-secret.js';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the Snowflake secret from Secrets Manager (service unreachable on loopback)', () => {
  it('an endpoint that refuses the connection is said as such, in one sentence naming the secret, with no credential in it', async () => {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${await closedPort()}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLESECRETKEY',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIexampleSECRET',
    });
    const error = await fetchFromSecretsManager('arn:aws:secretsmanager:us-east-1:123456789012:secret:eventlake-snowflake').then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toBe('could not read AWS secret arn:aws:secretsmanager:us-east-1:123456789012:secret:eventlake-snowflake: Error (ECONNREFUSED)');
    expect(error?.message).not.toMatch(/AKIDEXAMPLE|wJalrXUtnFEMI/);
  });
});
