/** A run that hangs past maxRunDuration: its deadline callback fires once, while it runs, and never again. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { query, runCli, tempDir } from '../helpers/fixtures.js';
import { runsIn } from '../helpers/in-process.js';
import { appendTo, exitWithin, jsonLines, startCli, waitFor, writeSmallHour } from '../helpers/processes.js';

const HOUR = '2019-06-01T15';

async function deliveriesIn(state: string): Promise<{ event: string; status: string }[]> {
  const store = await openStateStore({ kind: 'sqlite', dir: state });
  try {
    return (await store.events.deliveries()).map((d) => ({ event: d.event, status: d.status }));
  } finally {
    store.close();
  }
}

describe('deadline alerts', () => {
  it('a hung run fires deadline_miss exactly once while running, and not again after kill -9 and resume', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    const calls = join(dir, 'calls.jsonl');
    const config = join(dir, 'alerts.yaml');
    const rows = await writeSmallHour(source, HOUR, 3, 4);
    await writeFile(
      config,
      [
        'deadlines:',
        '  afterHourEnd: none',
        '  maxRunDuration: 1s',
        'callbacks:',
        '  - on: [deadline_miss]',
        `    command: ${JSON.stringify(appendTo(calls))}`,
        '',
      ].join('\n'),
    );
    const common = ['--config', config, '--state', state];

    // Held right after it takes its hour, far longer than its 1 s allowance.
    const hung = startCli(['trigger', '--hour', HOUR, '--source', source, '--lake', lake, '--workers', '1', ...common], {
      EVENTLAKE_PAUSE_AT: 'after-lease',
      EVENTLAKE_PAUSE_MS: '20000',
    });
    try {
      const [call] = await waitFor('the deadline callback', async () => {
        const lines = await jsonLines(calls);
        return lines.length > 0 ? lines : undefined;
      });
      expect(call).toMatchObject({ event: 'deadline_miss', deadline: 'duration', run: { hour: HOUR, status: 'running', attempt: 1, error: null } });
      expect(typeof call?.['at']).toBe('string');
      expect(new Date(call?.['at'] as string).toISOString()).toBe(call?.['at']);
      expect(typeof call?.['deadlineAt']).toBe('string');
      const runId = (call?.['run'] as { id: string }).id;

      // The delivery is settled (not merely started) before the process dies, so a redelivery
      // after the kill could only be a second event.
      await waitFor('the delivery to be recorded', async () => (await deliveriesIn(state)).some((d) => d.event === 'deadline_miss' && d.status === 'delivered'));
      // Still hung: the alert came while the run was late, not after it ended.
      expect(hung.child.exitCode).toBeNull();
      const [running] = await runsIn(state);
      expect(running).toMatchObject({ id: runId, status: 'running' });

      hung.child.kill('SIGKILL');
      const killed = await hung.exited;
      expect(killed.signal).toBe('SIGKILL');

      const resumed = await runCli(['resume', '--json', ...common]);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      const json = JSON.parse(resumed.stdout) as { runs: { id: string; status: string }[] };
      expect(json.runs).toHaveLength(1);
      expect(json.runs[0]).toMatchObject({ id: runId, status: 'success' });
      const counted = await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`);
      expect(Number(counted[0]?.['n'])).toBe(rows);

      // A status run opens the state too (and delivers what is owed): still one alert.
      const status = await runCli(['status', '--json', ...common]);
      expect(status.code).toBe(0);
      const s = JSON.parse(status.stdout) as {
        runs: { id: string; status: string }[];
        deadlineMisses: { runId: string; hour: string; kind: string; payload: Record<string, unknown> }[];
        deliveries: { event: string; status: string }[];
      };
      expect(s.runs).toEqual([expect.objectContaining({ id: runId, status: 'success' })]);
      expect(s.deadlineMisses).toHaveLength(1);
      expect(s.deadlineMisses[0]).toMatchObject({ runId, hour: HOUR, kind: 'deadline_miss', payload: { deadline: 'duration', event: 'deadline_miss' } });
      expect(s.deliveries.filter((d) => d.event === 'deadline_miss')).toEqual([expect.objectContaining({ status: 'delivered' })]);

      expect(await jsonLines(calls)).toHaveLength(1);
      // Text status names it as well.
      const text = await runCli(['status', ...common]);
      expect(text.stdout).toMatch(new RegExp(`^ +\\S+ +${HOUR} +duration deadline \\S+ \\(run ${runId}\\)$`, 'm'));
      expect(await jsonLines(calls)).toHaveLength(1);
    } finally {
      if (hung.child.exitCode === null && hung.child.signalCode === null) hung.child.kill('SIGKILL');
      await exitWithin(hung, 5000);
    }
  });

  it('a landing deadline (hour end + afterHourEnd) fires for a run queued before it, not for one queued after it', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    const calls = join(dir, 'calls.jsonl');
    const config = join(dir, 'landing.yaml');
    // The hour that ended most recently (UTC); its landing deadline is set a few seconds from now.
    const recent = new Date(Date.now() - 3_600_000).toISOString().slice(0, 13);
    const recentEnd = Date.parse(`${recent}:00:00.000Z`) + 3_600_000;
    // An older hour: its deadline (the same afterHourEnd) passed before it is queued, so it never alerts.
    const old = new Date(Date.now() - 3 * 3_600_000).toISOString().slice(0, 13);
    await writeSmallHour(source, recent, 1, 2);
    await writeSmallHour(source, old, 1, 2);
    /** The config whose landing deadline for `recent` is `inMs` from now. */
    const configure = async (inMs: number): Promise<number> => {
      const afterHourEnd = Math.max(1000, Date.now() + inMs - recentEnd);
      await writeFile(
        config,
        ['deadlines:', `  afterHourEnd: ${afterHourEnd}ms`, '  maxRunDuration: none', 'callbacks:', '  - on: [deadline_miss]', `    command: ${JSON.stringify(appendTo(calls))}`, ''].join('\n'),
      );
      return afterHourEnd;
    };
    const common = ['--config', config, '--state', state, '--source', source, '--lake', lake, '--workers', '1'];

    // The deadline is 4 s away: room for the process to start and queue its run before it. The
    // run is then held 8 s, at least 4 s past the deadline, for the once-a-second check to see it
    // late while it runs; the test then waits for it to end.
    const afterHourEnd = await configure(4000);
    const hung = startCli(['trigger', '--hour', recent, '--json', ...common], { EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '8000' });
    try {
      // Meanwhile the old hour runs (in this process), held 3 s while both processes check
      // deadlines every second: its deadline had passed before it was queued, so none alerts.
      const late = await runCli(['trigger', '--hour', old, '--json', ...common], undefined, { EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '3000' });
      expect(late.code).toBe(0);
      const [call] = await waitFor('the landing deadline callback', async () => {
        const lines = await jsonLines(calls);
        return lines.length > 0 ? lines : undefined;
      });
      expect(call).toMatchObject({ event: 'deadline_miss', deadline: 'landing', deadlineAt: new Date(recentEnd + afterHourEnd).toISOString(), run: { hour: recent, status: 'running' } });
      const done = await hung.exited;
      expect(done.code).toBe(0);
    } finally {
      if (hung.child.exitCode === null && hung.child.signalCode === null) hung.child.kill('SIGKILL');
    }
    // One alert in all: the recent hour's.
    expect(await jsonLines(calls)).toHaveLength(1);
    const status = await runCli(['status', '--json', '--config', config, '--state', state]);
    const s = JSON.parse(status.stdout) as { deadlineMisses: { hour: string; payload: Record<string, unknown> }[] };
    expect(s.deadlineMisses.map((m) => [m.hour, m.payload['deadline']])).toEqual([[recent, 'landing']]);
  });
});
