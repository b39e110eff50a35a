/**
 * The JSON API's runs and dead letters against a real `eventlake serve` / `up` on a free port:
 * trigger, the same hour again, backfill, filters, bad input, unknown routes, dead-letter replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/processes.js';
import { ask, runEnded, startServed, type Served } from '../helpers/served-cli.js';

const FAST_RETRIES = { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '1' };
/**
 * An idle serve looks for runs every tick (at most 1 s): a run asked for through the API starts
 * within that. 200 ms instead of the default's 1 s makes each run start sooner; what is tested
 * is the same.
 */
const FAST_TICK = { EVENTLAKE_SCHEDULE_TICK: '200ms' };
const servers: Served[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(command: 'serve' | 'up' = 'serve', env: Record<string, string> = {}, dirs?: { lake: string; state: string }): Promise<Served & { lake: string; state: string }> {
  const lake = dirs?.lake ?? (await tempDir());
  const state = dirs?.state ?? `${lake}-state`;
  const served = await startServed(command, ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none', ...FAST_TICK, ...env });
  servers.push(served);
  return { ...served, lake, state };
}

/** The UTC hour label `n` hours from now. */
function hourFromNow(n: number): string {
  return new Date(Date.now() + n * 3_600_000).toISOString().slice(0, 13);
}

describe('the runs API', () => {
  it('answers health, queues an hour (201), answers the same run for it while active (200), and shows it succeed', async () => {
    const { url, state } = await serve();
    const health = await ask(url, '/api/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', mode: 'serve', scheduler: false, auth: false, format: 'parquet', state, timezone: 'UTC' });
    expect(health.headers['cache-control']).toBe('no-store');

    const first = await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ hour: SAMPLE_HOUR, status: 'queued', trigger: 'manual', attempt: 1 });
    const again = await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    expect([200, 201]).toContain(again.status);
    if (again.json.status === 'queued' || again.json.status === 'running') {
      expect(again.status).toBe(200);
      expect(again.json.id).toBe(first.json.id);
    }
    const ended = await runEnded(url, first.json.id as string);
    expect(ended).toMatchObject({ status: 'success', events: { vehicle: 35349, operating_period: 2 }, quarantined: 0 });

    // A finished hour asked for again gets a new run (a rerun).
    const rerun = await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    expect(rerun.status).toBe(201);
    expect(rerun.json.id).not.toBe(first.json.id);
    await runEnded(url, rerun.json.id as string);

    const list = await ask(url, `/api/runs?hour=${SAMPLE_HOUR}&status=success`);
    expect(list.json.runs.map((r: { id: string }) => r.id)).toEqual([rerun.json.id, first.json.id]);
    expect((await ask(url, '/api/runs?status=failed')).json.runs).toEqual([]);
    expect((await ask(url, '/api/runs?limit=1')).json.runs).toHaveLength(1);
    expect((await ask(url, '/api/runs?from=2019-06-01T16')).json.runs).toEqual([]);
    expect((await ask(url, '/api/runs?from=2019-06-01T15&to=2019-06-01T15')).json.runs).toHaveLength(2);
  });

  it('backfills a range: one run per hour, an hour without objects fails with its reason', async () => {
    const { url } = await serve();
    const answer = await ask(url, '/api/runs', { body: { from: '2019-06-01T14', to: SAMPLE_HOUR } });
    expect(answer.status).toBe(201);
    expect(answer.json.runs.map((r: { hour: string; trigger: string }) => [r.hour, r.trigger])).toEqual([
      ['2019-06-01T14', 'backfill'],
      [SAMPLE_HOUR, 'backfill'],
    ]);
    const [empty, full] = await Promise.all(answer.json.runs.map((r: { id: string }) => runEnded(url, r.id)));
    expect(empty).toMatchObject({ status: 'failed' });
    expect(String(empty?.['error'])).toMatch(/no source objects for hour 2019-06-01T14/);
    expect(full).toMatchObject({ status: 'success' });
  });

  it('refuses bad input with a JSON error naming what is wrong, never a stack trace', async () => {
    const { url } = await serve();
    const cases: [string, Parameters<typeof ask>[2], number, RegExp][] = [
      ['/api/runs', { body: '{"hour": "2019-06-01T15"}', headers: { 'content-type': 'text/plain' } }, 415, /Content-Type: application\/json/],
      ['/api/runs', { body: '{"hour"', headers: { 'content-type': 'application/json' } }, 400, /not JSON/],
      ['/api/runs', { body: { hour: '2019-06-01T99' } }, 400, /hour: must be an hour like 2019-06-01T15 \(got "2019-06-01T99"\)/],
      ['/api/runs', { body: { hour: 15 } }, 400, /hour: must be an hour/],
      ['/api/runs', { body: { hour: '9999-12-31T23' } }, 400, /^hour 9999-12-31T23 \(UTC\) has not begun: no file of it can have arrived$/],
      ['/api/runs', { body: { from: hourFromNow(-3), to: hourFromNow(2) } }, 400, new RegExp(`^hour ${hourFromNow(2)} \\(UTC\\) has not begun`)],
      ['/api/runs', { body: { hour: SAMPLE_HOUR, drop: 'table' } }, 400, /must be \{"hour"/],
      ['/api/runs', { body: { from: '2019-06-01T15' } }, 400, /must be \{"hour"/],
      ['/api/runs', { body: { hour: SAMPLE_HOUR, from: SAMPLE_HOUR, to: SAMPLE_HOUR } }, 400, /must be \{"hour"/],
      ['/api/runs', { body: [] }, 400, /must be \{"hour"/],
      ['/api/runs', { body: { from: '2019-06-02T00', to: '2019-06-01T00' } }, 400, /ends before it starts/],
      ['/api/runs', { body: { from: '2000-01-01T00', to: '2019-06-01T00' } }, 400, /more than the 10000 allowed/],
      ['/api/runs', { body: { hour: 'x'.repeat(300_000) } }, 413, /over 256 KiB/],
      ['/api/runs?status=bogus', {}, 400, /status must be one of queued, running, success, failed/],
      ['/api/runs?limit=0', {}, 400, /limit must be a whole number from 1 to 1000/],
      ['/api/runs?from=yesterday', {}, 400, /from must be an hour/],
      ['/api/nothing-here', {}, 404, /no API route GET \/api\/nothing-here/],
      ['/api/runs', { method: 'DELETE', headers: { 'content-type': 'application/json' } }, 404, /no API route DELETE \/api\/runs/],
      ['/api/dlq/abc/replay', { body: {} }, 400, /a dead letter's id is a whole number/],
      ['/api/dlq/424242/replay', { body: {} }, 404, /no dead letter 424242/],
    ];
    for (const [path, options, status, message] of cases) {
      const answer = await ask(url, path, options);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.json?.error).toMatch(message);
      expect(answer.text).not.toMatch(/\n\s+at /);
    }
  });

  it('a source folder gone at trigger time is a 400 naming the folder', async () => {
    const lake = await tempDir();
    const source = await tempDir();
    const served = await startServed('serve', ['--source', source, '--lake', lake, '--state', `${lake}-state`]);
    servers.push(served);
    const { rm } = await import('node:fs/promises');
    await rm(source, { recursive: true });
    const answer = await ask(served.url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain(source);
  });
});

describe('the dead-letter API', () => {
  it('lists a dead letter, replays it once (202), answers 409 to a second replay', async () => {
    const first = await serve('serve', { ...FAST_RETRIES, EVENTLAKE_FAIL_TASK: 't00000' });
    const queued = await ask(first.url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    const failed = await runEnded(first.url, queued.json.id as string);
    expect(failed['status']).toBe('failed');
    const listed = await ask(first.url, '/api/dlq');
    expect(listed.json.deadLetters).toHaveLength(1);
    const letter = listed.json.deadLetters[0];
    expect(letter).toMatchObject({ runId: queued.json.id, hour: SAMPLE_HOUR, kind: 'task', taskId: 't00000', attempts: 2 });
    expect(letter.error).toMatch(/failed on purpose/);
    expect(letter.replayedAt).toBeUndefined();
    await first.stop();

    // The fail point gone (the fix deployed), the same state served again: the replay succeeds.
    const second = await serve('serve', {}, first);
    const replayed = await ask(second.url, `/api/dlq/${letter.id as number}/replay`, { body: {} });
    expect(replayed.status).toBe(202);
    expect(replayed.json.run).toMatchObject({ id: queued.json.id, status: 'queued' });
    expect(replayed.json.deadLetter.replayedAt).toEqual(expect.any(String));
    expect(await runEnded(second.url, queued.json.id as string)).toMatchObject({ status: 'success', events: { vehicle: 35349 } });
    const again = await ask(second.url, `/api/dlq/${letter.id as number}/replay`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already replayed/);
  });
});

describe('runs nobody works on', () => {
  it('are taken on by serve: a queued run and a running run whose serve was killed', async () => {
    const first = await serve('serve', { EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: '1', EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '60000' });
    const held = (await ask(first.url, '/api/runs', { body: { hour: SAMPLE_HOUR } })).json.id as string;
    await waitFor('the first run to start', async () => (await ask(first.url, '/api/runs')).json.runs.find((r: { id: string }) => r.id === held)?.status === 'running');
    const waiting = (await ask(first.url, '/api/runs', { body: { hour: '2019-06-01T14' } })).json.id as string;
    first.running.child.kill('SIGKILL');
    await first.running.exited;

    const next = await serve('serve', {}, first);
    expect((await ask(next.url, '/api/health')).json.scheduler).toBe(false);
    expect(await runEnded(next.url, held)).toMatchObject({ status: 'success', events: { vehicle: 35349 } });
    expect(await runEnded(next.url, waiting)).toMatchObject({ status: 'failed', error: expect.stringMatching(/no source objects/) });
  });
});

describe('under eventlake up', () => {
  it('serves the same API; a run asked for is run by the scheduler', async () => {
    const { url } = await serve('up');
    expect((await ask(url, '/api/health')).json).toMatchObject({ mode: 'up' });
    await waitFor('the scheduler to register', async () => (await ask(url, '/api/health')).json.scheduler === true);
    const queued = await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
    expect(queued.status).toBe(201);
    expect(await runEnded(url, queued.json.id as string)).toMatchObject({ status: 'success' });
  });
});
