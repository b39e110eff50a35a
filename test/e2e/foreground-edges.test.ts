/**
 * Foreground commands at their edges: results printed before callbacks are waited for, a stop
 * that leaves hours queued is not a success, flags that could not be applied are said, and a
 * command that knows other callbacks leaves their deliveries alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { exitWithin, jsonLines, startCli, waitFor, writeSmallHour } from '../helpers/processes.js';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** A webhook receiver that never answers. */
async function silentReceiver(): Promise<string> {
  const server = createServer(() => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function folders(): Promise<{ dir: string; source: string; lake: string; state: string }> {
  const dir = await tempDir();
  return { dir, source: join(dir, 'source'), lake: join(dir, 'lake'), state: join(dir, 'state') };
}

describe('a foreground command', () => {
  it('prints its result as soon as the hour is published, before a slow callback is given up', async () => {
    const { dir, source, lake, state } = await folders();
    await writeSmallHour(source, '2019-06-01T15', 2, 2);
    const config = join(dir, 'slow.yaml');
    // Two attempts of 1.5 s and a 1 s backoff: the delivery is given up some 4 s after it starts.
    await writeFile(config, `callbacks:\n  - name: slow\n    on: [success]\n    webhook:\n      url: ${await silentReceiver()}\n      timeout: 1500ms\n      retries: 1\n`);
    const run = startCli(['run', '--hour', '2019-06-01T15', '--json', '--config', config, '--source', source, '--lake', lake, '--state', state]);
    await waitFor('the summary', () => run.out.stdout.includes('"runId"'), 30_000);
    // Printed while the delivery is still being tried: the state says it is not settled, and the
    // process is still running (read after the state, so it was running then too).
    const during = JSON.parse((await runCli(['status', '--json', '--config', config, '--state', state])).stdout) as { deliveries: { status: string }[] };
    expect(during.deliveries.map((d) => d.status)).toEqual([expect.stringMatching(/^(pending|delivering)$/)]);
    expect(run.child.exitCode).toBeNull();
    expect(JSON.parse(run.out.stdout)).toMatchObject({ hour: '2019-06-01T15', quarantined: 0 });
    expect(await exitWithin(run, 30_000)).toEqual({ code: 0, signal: null });
    const status = JSON.parse((await runCli(['status', '--json', '--config', config, '--state', state])).stdout) as { deliveries: { status: string; error?: string }[] };
    expect(status.deliveries).toMatchObject([{ status: 'failed', error: expect.stringMatching(/timed out/) as unknown }]);
  });

  it('stopped with Ctrl-C while hours are still queued exits non-zero and says which are left', async () => {
    const { source, lake, state } = await folders();
    for (const h of ['00', '01', '02', '03']) await writeSmallHour(source, `2019-06-01T${h}`, 1, 2);
    const backfill = startCli(['backfill', '--from', '2019-06-01T00', '--to', '2019-06-01T03', '--source', source, '--lake', lake, '--state', state], {
      // One hour at a time, each held 0.8 s: hours are still queued when the first has ended.
      EVENTLAKE_PAUSE_AT: 'after-lease',
      EVENTLAKE_PAUSE_MS: '800',
      EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: '1',
    });
    await waitFor('a first hour done', () => /success/.test(backfill.out.stdout) || backfill.out.stderr.length > 0 || runCli(['status', '--json', '--state', state]).then((r) => r.stdout.includes('"success"')), 30_000);
    backfill.child.kill('SIGINT');
    const exit = await exitWithin(backfill, 30_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(backfill.out.stderr).toMatch(/eventlake: \d of 4 hours not finished \(still queued; eventlake resume or eventlake up finishes them\)/);
    const resumed = await runCli(['resume', '--json', '--state', state]);
    expect(resumed.code).toBe(0);
    const after = JSON.parse((await runCli(['status', '--json', '--state', state])).stdout) as { runs: { status: string }[] };
    expect(after.runs.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
  });

  it('says so when the hour already had a run with other settings, and exits non-zero', async () => {
    const { source, lake, state } = await folders();
    await writeSmallHour(source, '2019-06-01T02', 1, 2);
    const common = ['--hour', '2019-06-01T02', '--source', source, '--lake', lake, '--state', state];
    // Held 2 s after taking the hour: long enough for the trigger below to find it running.
    const holding = startCli(['run', ...common], { EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '2000' });
    await waitFor('the run to hold the hour', async () => (await runCli(['status', '--json', '--state', state])).stdout.includes('"running"'), 30_000);
    const other = await runCli(['trigger', ...common, '--format', 'avro']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^eventlake: hour 2019-06-01T02 already had run \S+ queued or running with other settings; that run was used, not these flags$/m);
    expect(await exitWithin(holding, 30_000)).toEqual({ code: 0, signal: null });
  });
});

describe('callbacks owed by a process that died', () => {
  it('are left alone by commands that do not know them, and delivered by resume with the configuration', async () => {
    const { dir, source, lake, state } = await folders();
    await writeSmallHour(source, '2019-06-01T15', 1, 2);
    const calls = join(dir, 'calls.jsonl');
    const config = join(dir, 'pager.yaml');
    // The first delivery is slow (the process is killed in the middle of it); any later one is quick.
    const first = join(dir, 'first-delivery');
    await writeFile(
      config,
      `callbacks:\n  - name: pager\n    on: [success]\n    command: "if [ -e ${first} ]; then cat >> ${calls}; else touch ${first}; sleep 5; cat >> ${calls}; fi"\n    timeout: 30s\n`,
    );
    const run = startCli(['run', '--hour', '2019-06-01T15', '--json', '--config', config, '--source', source, '--lake', lake, '--state', state]);
    await waitFor('the summary', () => run.out.stdout.includes('"runId"'), 30_000);
    run.child.kill('SIGKILL');
    await exitWithin(run, 10_000);
    // Without the configuration, status (twice) neither delivers nor gives up the delivery.
    for (let i = 0; i < 2; i++) {
      const status = JSON.parse((await runCli(['status', '--json', '--state', state])).stdout) as { deliveries: { status: string }[] };
      expect(status.deliveries.map((d) => d.status)).toEqual([expect.stringMatching(/^(pending|delivering)$/)]);
    }
    const resumed = await runCli(['resume', '--json', '--config', config, '--state', state]);
    expect(resumed.code).toBe(0);
    // At least once: the killed process's own command may have finished too (kill -9 cannot take it along).
    const lines = await jsonLines(calls);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatchObject({ event: 'success', run: { hour: '2019-06-01T15', status: 'success' } });
    const status = JSON.parse((await runCli(['status', '--json', '--state', state])).stdout) as { deliveries: { status: string }[] };
    expect(status.deliveries.map((d) => d.status)).toEqual(['delivered']);
  });
});
