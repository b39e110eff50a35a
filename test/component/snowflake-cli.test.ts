/**
 * The Snowflake commands as a person runs them. No Snowflake server can run here: the DDL is
 * checked against the golden file; commands that would connect are checked to refuse, in one
 * sentence, when the credentials are not in the environment (mocked-connection tests of apply,
 * explain and lineage are in test/unit/snowflake-*-mocked-connection.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';

const GOLDEN_OPTIONS = [
  '--lake-url', 's3://eventlake-lake/prod/',
  '--aws-role-arn', 'arn:aws:iam::123456789012:role/eventlake-snowflake',
  '--database', 'analytics',
  '--schema', 'eventlake',
  '--integration', 'eventlake_s3',
  '--warehouse', 'transform_wh',
  '--format', 'parquet',
];

const NO_SNOWFLAKE = { SNOWFLAKE_ACCOUNT: '', SNOWFLAKE_USER: '', SNOWFLAKE_PASSWORD: 'not-printed-secret' };

describe('eventlake warehouse ddl --target snowflake', () => {
  it('prints the golden DDL for the lake', async () => {
    const state = await tempDir();
    const result = await runCli(['warehouse', 'ddl', '--target', 'snowflake', ...GOLDEN_OPTIONS, '--state', state]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${await readFile('test/golden/snowflake-ddl.sql', 'utf8')}\n`);
  });

  it('refuses a lake that is not in S3, and a missing --target, naming them', async () => {
    const local = await runCli(['warehouse', 'ddl', '--target', 'snowflake', '--lake-url', '/data/lake', '--aws-role-arn', 'arn:aws:iam::123456789012:role/x']);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/^eventlake: The lake URL must look like s3:\/\/bucket\/prefix\/.*\n$/);
    const untargeted = await runCli(['warehouse', 'ddl', '--lake-url', 's3://b/', '--aws-role-arn', 'arn:aws:iam::123456789012:role/x']);
    expect(untargeted.code).toBe(2);
    expect(untargeted.stderr).toMatch(/required option '--target <target>' not specified/);
  });
});

describe('commands that connect to Snowflake', () => {
  it.each([
    ['warehouse apply', ['warehouse', 'apply', '--target', 'snowflake', ...GOLDEN_OPTIONS]],
    ['explain', ['explain', '--target', 'snowflake', 'SELECT 1']],
    ['lineage', ['lineage', '--target', 'snowflake', 'BI_AVG_DISTANCE']],
  ])('%s without credentials in the environment stops in one sentence naming the variable, printing no secret', async (_name, args) => {
    const result = await runCli([...args, '--state', await tempDir()], undefined, NO_SNOWFLAKE);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('eventlake: Set the environment variable SNOWFLAKE_ACCOUNT to connect to Snowflake.\n');
    expect(result.stdout + result.stderr).not.toMatch(/not-printed-secret/);
  });
});
