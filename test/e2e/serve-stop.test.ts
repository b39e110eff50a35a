/**
 * Ctrl-C always stops `eventlake serve` as a real process: at the very moment it listens (its
 * workers still starting), with a run in flight (a second Ctrl-C quits at once, naming the run it
 * leaves), and when what it waits for takes too long (left, and named, after the stop deadline).
 * The waits here are generous: what is asserted is that it exits and what it says, never how fast.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { exitWithin, startCli, waitFor } from '../helpers/processes.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

const servers: Served[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(env: Record<string, string> = {}): Promise<Served> {
  const lake = await tempDir();
  const served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', `${lake}-state`, '--workers', '1'], {
    EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
    EVENTLAKE_SCHEDULE_TICK: '200ms',
    ...env,
  });
  servers.push(served);
  return served;
}

/** Serves, queues the sample hour and waits until its tasks are done and the run waits before publishing (for a minute). */
async function serveWithRunInFlight(): Promise<{ served: Served; id: string }> {
  const served = await serve({ EVENTLAKE_PAUSE_AT: 'before-publish', EVENTLAKE_PAUSE_MS: '120000' });
  const id = (await ask(served.url, '/api/runs', { body: { hour: SAMPLE_HOUR } })).json.id as string;
  await waitFor(
    'the run to wait before publishing',
    async () => {
      const runs = ((await ask(served.url, '/api/runs')).json?.runs ?? []) as { id: string; status: string; tasks?: { done: number; total: number } }[];
      const run = runs.find((r) => r.id === id);
      return run?.status === 'running' && run.tasks !== undefined && run.tasks.total > 0 && run.tasks.done === run.tasks.total;
    },
    90_000,
    200,
  );
  return { served, id };
}

describe('Ctrl-C on eventlake serve', () => {
  it('stops serve and up cleanly (exit 0) when it comes the moment they listen, before their workers have started', async () => {
    // Each sent on the very output that says it listens: the worker threads are still starting then.
    const all = await Promise.all(
      (['serve', 'serve', 'serve', 'up'] as const).map(async (command) => {
        const lake = await tempDir();
        const running = startCli([command, '--source', SAMPLE, '--lake', lake, '--state', `${lake}-state`, '--workers', '1', '--port', '0', '--json'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
        const onOutput = (): void => {
          if (!running.out.stdout.includes('"listening"')) return;
          running.child.stdout.off('data', onOutput);
          running.child.kill('SIGINT');
        };
        running.child.stdout.on('data', onOutput);
        return running;
      }),
    );
    const exits = await Promise.all(all.map((running) => exitWithin(running, 60_000)));
    expect(exits).toEqual(all.map(() => ({ code: 0, signal: null })));
    for (const running of all) {
      expect(running.out.stdout).toContain('"listening"');
      expect(running.out.stdout).toContain('{"event":"stopping","signal":"SIGINT"}');
      expect(running.out.stderr).toBe('');
    }
  }, 180_000);

  it('a Ctrl-C at any moment of start-up stops it: at once before the state is open, cleanly (exit 0, serving nothing more) after', async () => {
    // Sent at staggered moments from the spawn on: whichever step of start-up each one lands in.
    for (let delayMs = 0; delayMs <= 1400; delayMs += 200) {
      const lake = await tempDir();
      const running = startCli(['serve', '--source', SAMPLE, '--lake', lake, '--state', `${lake}-state`, '--workers', '1', '--port', '0', '--json'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      running.child.kill('SIGINT');
      const exit = await exitWithin(running, 60_000);
      expect({ delayMs, exit, stderr: running.out.stderr }).toEqual({
        delayMs,
        exit: expect.objectContaining(exit?.signal === 'SIGINT' ? { code: -1, signal: 'SIGINT' } : { code: 0, signal: null }),
        stderr: '',
      });
      if (exit?.code === 0) expect(running.out.stdout).toContain('{"event":"stopping","signal":"SIGINT"}');
    }
  }, 600_000);

  it('a second Ctrl-C exits at once (130), naming the run in flight it leaves to another process', async () => {
    const { served, id } = await serveWithRunInFlight();
    served.running.child.kill('SIGINT');
    // The first is heard (the run stays in flight: it waits before publishing); the second quits.
    await waitFor('serve to say it is stopping', () => served.running.out.stdout.includes('{"event":"stopping","signal":"SIGINT"}'));
    served.running.child.kill('SIGINT');
    expect(await exitWithin(served.running, 60_000)).toEqual({ code: 130, signal: null });
    const lines = served.running.out.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^eventlake: SIGINT again: exiting now; left unfinished: run ${id} in flight \\(another process takes it over within \\d+ min\\)$`))]);
  }, 240_000);

  it('when the stop waits too long, it exits (130) after the stop deadline, naming what it left', async () => {
    const { served, id } = await serveWithRunInFlight();
    served.running.child.kill('SIGINT');
    // The run waits two minutes before publishing; the stop deadline (30 s) comes first.
    expect(await exitWithin(served.running, 100_000)).toEqual({ code: 130, signal: null });
    expect(served.running.out.stdout).toContain('{"event":"stopping","signal":"SIGINT"}');
    expect(served.running.out.stderr.trim()).toMatch(new RegExp(`^eventlake: still stopping 30 s after SIGINT: exiting now; left unfinished: run ${id} in flight`));
  }, 240_000);

  it('with a webhook that never answers in flight, it stops (exit 0) and leaves that delivery to the next process, saying so', async () => {
    // A receiver that takes the request and never answers (the webhook's own timeout: 10 minutes).
    const received: IncomingMessage[] = [];
    const hook = createServer((req) => received.push(req));
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const dir = await tempDir('eventlake-config-');
      const config = join(dir, 'eventlake.yaml');
      const port = (hook.address() as AddressInfo).port;
      await writeFile(config, ['callbacks:', '  - name: hook', '    on: [failure]', '    webhook:', `      url: http://127.0.0.1:${port}/hook`, '      timeout: 10m', ''].join('\n'));
      const lake = await tempDir();
      const state = `${lake}-state`;
      // In words (no --json): what it says on stopping is checked line by line.
      const running = startCli(['serve', '--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1', '--port', '0', '--config', config], {
        EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
        EVENTLAKE_SCHEDULE_TICK: '200ms',
      });
      const url = await waitFor('serve to listen', () => /eventlake serving on (http:\/\/\S+\/) /.exec(running.out.stdout)?.[1], 60_000);
      // An hour the sample has no objects for: the run fails, and the webhook is told.
      const run = await ask(url, '/api/runs', { body: { hour: '2019-06-01T14' } });
      expect(run.status).toBe(201);
      await waitFor('the webhook delivery to be in flight', () => received.length > 0, 60_000);
      running.child.kill('SIGINT');
      expect(await exitWithin(running, 90_000)).toEqual({ code: 0, signal: null });
      expect(running.out.stderr.trim().split('\n')).toEqual([
        'eventlake: SIGINT: stopping; tasks in flight finish, the rest stays queued (again to quit at once)',
        'eventlake: 1 callback delivery was still under way: the next eventlake process on this state makes it',
      ]);
      // Not recorded as failed: owed still, by a process that is gone, so the next one takes it.
      const status = JSON.parse((await runCli(['status', '--json', '--state', state, '--lake', lake])).stdout) as { deliveries: Record<string, unknown>[] };
      expect(status.deliveries).toEqual([expect.objectContaining({ callback: 'hook', event: 'failure', status: 'delivering', attempts: 0 })]);
      expect(received).toHaveLength(1);
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  }, 240_000);
});
