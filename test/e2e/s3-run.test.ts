/**
 * `eventlake run` with the source and the lake in buckets, against a real S3 API on loopback
 * (s3rver), configured only by AWS_ENDPOINT_URL and test credentials in the environment, as a
 * person would: the rows match a local run, a rerun replaces the hour, the embedded warehouse
 * builds from the bucket, and the secret never shows anywhere.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ClientSettings, s3ServerKey } from '../../src/storage/s3/s3-client.js';
import { mirrorDir } from '../../src/storage/s3/s3-lake-mirror.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { differentRows, flatSample, listFiles, runCliProcess, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { runHourInProcess } from '../helpers/in-process.js';
import { stateRows } from '../helpers/long-running.js';
import { exitWithin, startCli, waitFor } from '../helpers/processes.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';

/** s3rver checks the key id, not the signature: any secret works, and this one must never be printed. */
const SECRET = 'eventlake-s3-test-secret-7f3a9c';
const hour = parseHour(SAMPLE_HOUR) as Hour;

let s3: S3Server;
let localLake: string;

beforeAll(async () => {
  s3 = await startS3Server(['events', 'lake']);
  const source = await flatSample();
  await s3.uploadFolder('events', 'raw/', source);
  localLake = await tempDir();
  await runHourInProcess({ source, lake: localLake, state: await tempDir(), hour, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 128 * 1024 * 1024 });
}, 120_000);
afterAll(() => s3?.close());

function env(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

/** Every file under the folder whose bytes hold the text (the SQLite state, logs, the mirror). */
async function filesHolding(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await listFiles(dir)) if ((await readFile(file)).includes(text)) found.push(file);
  return found;
}

describe('eventlake run against buckets on a real S3 API (s3rver on loopback)', () => {
  it('runs the hour from s3:// to s3:// with the rows of a local run, and the warehouse builds from the bucket', async () => {
    const state = await tempDir();
    const args = ['run', '--source', 's3://events/raw', '--lake', 's3://lake/tables/', '--hour', SAMPLE_HOUR, '--layout', 'flat', '--state', state];
    const result = await runCliProcess([...args, '--json', '--debug'], undefined, env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { objects: number; events: Record<string, number>; outputs: { path: string; rows: number }[] };
    expect(summary.objects).toBe(721);
    expect(summary.events).toEqual({ vehicle: 35349, operating_period: 2 });
    expect(summary.outputs.map((o) => o.path)).toEqual([
      's3://lake/tables/vehicle/date=2019-06-01/hour=15/part-00000.parquet',
      's3://lake/tables/operating_period/date=2019-06-01/hour=15/part-00000.parquet',
    ]);

    const built = await runCliProcess(['warehouse', 'build', '--lake', 's3://lake/tables/', '--state', state, '--json'], undefined, env());
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const mirror = mirrorDir(state, 'lake', 'tables/', s3ServerKey(s3ClientSettings(env())));
    expect(await differentRows(mirror, localLake, 'vehicle')).toBe(0);
    expect(await differentRows(mirror, localLake, 'operating_period')).toBe(0);
    const answer = await runCliProcess(['query', 'avg-distance', '--state', state, '--json'], undefined, env());
    expect(answer.code).toBe(0);
    expect(JSON.parse(answer.stdout) as unknown[]).toHaveLength(2);

    // A rerun replaces the hour: a new manifest, the same rows, nothing left in staging.
    const again = await runCliProcess([...args, '--json'], undefined, env());
    expect(again.code).toBe(0);
    const requests = await s3.takeRequests();
    expect(requests.some((r) => r.startsWith('DELETE /lake/tables/_staging/'))).toBe(true);
    const rebuilt = await runCliProcess(['warehouse', 'build', '--lake', 's3://lake/tables/', '--state', state, '--json'], undefined, env());
    expect(rebuilt.code).toBe(0);
    expect(await differentRows(mirror, localLake, 'vehicle')).toBe(0);
    const staging = await runCliProcess(['status', '--lake', 's3://lake/tables/', '--state', state, '--json'], undefined, env());
    expect(staging.code).toBe(0);

    // Neither the key id nor the secret anywhere: outputs, the state (database, debug log), the mirror.
    for (const out of [result, built, again, rebuilt, staging, answer]) {
      expect(out.stdout + out.stderr).not.toContain(SECRET);
      expect(out.stdout + out.stderr).not.toContain(s3.env.AWS_ACCESS_KEY_ID);
    }
    expect(await readdir(join(state, 'logs'))).toContain('eventlake.log');
    expect(await filesHolding(state, SECRET)).toEqual([]);
    expect(await filesHolding(state, s3.env.AWS_ACCESS_KEY_ID)).toEqual([]);
  }, 180_000); // Five processes and a 721-object hour both ways: about 30 s alone, much longer on a loaded CI machine.

  it('a missing bucket, a refused endpoint and missing credentials each get one sentence', async () => {
    const state = await tempDir();
    const run = (source: string, extra: Record<string, string> = {}) =>
      runCliProcess(['run', '--source', source, '--lake', 's3://lake/other/', '--hour', SAMPLE_HOUR, '--layout', 'flat', '--state', state], undefined, { ...env(), ...extra });
    const missing = await run('s3://no-such-bucket/raw/');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^eventlake: .*no-such-bucket.*does not exist.*\n$/);
    const refused = await run('s3://events/raw/', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(refused.stderr).toContain('127.0.0.1:9');
    const noKeys = await run('s3://events/raw/', { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: 'eventlake-none' });
    expect(noKeys.code).toBe(1);
    expect(noKeys.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(noKeys.stderr).toMatch(/credentials/i);
    const badUrl = await runCliProcess(['run', '--source', 's3://Bad_Bucket/x', '--lake', 's3://lake/', '--hour', SAMPLE_HOUR, '--state', state], undefined, env());
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--source');
    for (const out of [missing, refused, noKeys]) expect(out.stderr).not.toContain(SECRET);
  });

  it('a crash after the publish journal, then its staged parts expire: the next run rolls the journal back and publishes the hour', async () => {
    const state = await tempDir();
    const args = ['run', '--source', await flatSample(), '--lake', 's3://lake/expiry/', '--hour', SAMPLE_HOUR, '--layout', 'flat', '--state', state, '--workers', '1'];
    const crashed = await runCliProcess(args, undefined, { ...env(), EVENTLAKE_CRASH_AT: 'after-journal' });
    expect(crashed.code).not.toBe(0);
    // The bucket's lifecycle rule expires staging: the journal stays, its staged parts go.
    const restore = s3.applyEnv();
    try {
      const lake = new S3ObjectStore('lake', 'expiry/');
      const staged: string[] = [];
      let journals = 0;
      for await (const { key } of lake.list('_staging/')) {
        if (key.includes('/new/')) staged.push(key);
        if (key.endsWith('/publish.json')) journals++;
      }
      expect(journals).toBe(1);
      expect(staged.length).toBeGreaterThan(0);
      for (const key of staged) await lake.delete(key);
    } finally {
      restore();
    }
    // Before: "…/new/vehicle/… does not exist" on this and every later run.
    const rerun = await runCliProcess([...args, '--json'], undefined, env());
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ events: { vehicle: 35349, operating_period: 2 } });
    const restoreAgain = s3.applyEnv();
    try {
      const left: string[] = [];
      for await (const { key } of new S3ObjectStore('lake', 'expiry/').list('_staging/')) left.push(key);
      expect(left).toEqual([]);
    } finally {
      restoreAgain();
    }
  }, 150_000);

  it('a lake bucket that goes away during the run: the run fails in one sentence and the process exits (no hang on giving the lease back)', async () => {
    const doomed = await startS3Server(['lake']);
    const state = await tempDir();
    const running = startCli(
      ['run', '--source', await flatSample(), '--lake', 's3://lake/t/', '--hour', SAMPLE_HOUR, '--layout', 'flat', '--state', state],
      // Its own TMPDIR: the S3 lake's local scratch is under the temp folder by bucket and prefix, and
      // another test's dead run of this hour there would be cleared and reported on stderr too.
      { ...env(), TMPDIR: state, AWS_ENDPOINT_URL: doomed.endpoint, EVENTLAKE_RETRIES_COUNT: '0', EVENTLAKE_PAUSE_AT: 'before-publish', EVENTLAKE_PAUSE_MS: '3000' },
    );
    // The tasks are done (the source is local): the server goes while the run pauses before publishing.
    await waitFor('the pause before publishing', () => existsSync(join(state, 'eventlake.db')) && stateRows(state, "SELECT 1 FROM messages WHERE kind = 'finish'").length > 0, 60_000);
    await doomed.close();
    const exit = await exitWithin(running, 60_000);
    if (!exit) running.child.kill('SIGKILL');
    expect(exit?.code).toBe(1);
    expect(running.out.stderr.split('\n').filter(Boolean), running.out.stderr).toHaveLength(1);
    expect(running.out.stderr).toContain('ECONNREFUSED');
  }, 150_000);
});
