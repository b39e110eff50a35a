/** Runs at the same time on one lake: different hours never disturb each other; one hour has one run. */
import { runHourInProcess, runsIn } from '../helpers/in-process.js';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { query, runCliProcess, tempDir, writeObject } from '../helpers/fixtures.js';

const line = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T18:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org' });

function hourOf(label: string): Hour {
  const hour = parseHour(label);
  if (!hour) throw new Error(label);
  return hour;
}

/** Each hour h gets 6 objects of 4 lines whose ids name their hour. */
async function writeHours(source: string, hours: number): Promise<void> {
  for (let h = 0; h < hours; h++) {
    for (let s = 0; s < 6; s++) {
      const lines = Array.from({ length: 4 }, (_, i) => line(`h${h}-s${s}-${i}`));
      await writeObject(source, `2019-06-01-${h}-0-${s}-events.json`, `${lines.join('\n')}\n`);
    }
  }
}


async function idsPerHour(lake: string): Promise<Record<string, number>> {
  const rows = await query(`SELECT hour, count(DISTINCT vehicle_id) AS ids, count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1 ORDER BY 1`);
  for (const r of rows) expect(r['ids']).toBe(r['n']);
  return Object.fromEntries(rows.map((r) => [String(r['hour']), Number(r['n'])]));
}

describe('runs at the same time', () => {
  it('of 12 different hours on one lake all succeed with exact rows', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    await writeHours(source, 12);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, h) =>
        runCliProcess(['run', '--source', source, '--lake', lake, '--state', state, '--hour', `2019-06-01T${String(h).padStart(2, '0')}`, '--json', '--workers', '1']),
      ),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const expected = Object.fromEntries(Array.from({ length: 12 }, (_, h) => [String(h).padStart(2, '0'), 24]));
    expect(await idsPerHour(lake)).toEqual(expected);
    expect((await readdir(lake)).sort()).toEqual(['_leases', 'vehicle']);
  });

  it('of two hours in one process (as a scheduler runs them) both succeed', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = await tempDir();
    await writeHours(source, 2);
    const request = { source, lake, state, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 1 << 20 } as const;
    const [a, b] = await Promise.all([runHourInProcess({ ...request, hour: hourOf('2019-06-01T00') }), runHourInProcess({ ...request, hour: hourOf('2019-06-01T01') })]);
    expect(a.events).toEqual({ vehicle: 24 });
    expect(b.events).toEqual({ vehicle: 24 });
    expect(await idsPerHour(lake)).toEqual({ '00': 24, '01': 24 });
  });

  it('of one hour whose lease a dead run left: exactly one takes it over and succeeds, the others stop at once', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeHours(source, 1);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    await mkdir(join(lake, '_leases'), { recursive: true });
    await writeFile(join(lake, '_leases', '2019-06-01T00.lease'), JSON.stringify({ runId: '2019-06-01T00-dead', pid: dead, host: hostname(), since: 'then' }));
    // The winner holds the hour for a while, so every other run meets a live holder.
    const states = await tempDir();
    const hold = { EVENTLAKE_PAUSE_AT: 'after-lease', EVENTLAKE_PAUSE_MS: '4000' };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runCliProcess(['run', '--source', source, '--lake', lake, '--state', join(states, `state-${i}`), '--hour', '2019-06-01T00', '--json', '--workers', '1'], undefined, hold),
      ),
    );
    const won = results.filter((r) => r.code === 0);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^eventlake: hour 2019-06-01T00 is being (processed by run 2019-06-01T00-\w+ \(process \d+ on .+\)|taken over by another run); wait for it to finish\n$/);
    }
    expect(await idsPerHour(lake)).toEqual({ '00': 24 });
    // Every run left its record: the winner's says success, each loser's says failed and why.
    const records = await Promise.all(results.map(async (_, i) => runsIn(join(states, `state-${i}`))));
    const statuses = records.map((r) => r.map((x) => x.status).join()).sort();
    expect(statuses).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'success']);
    const failed = records.flat().find((r) => r.status === 'failed');
    expect(failed?.error).toMatch(/^hour 2019-06-01T00 is being /);
    expect(failed?.finishedAt).toEqual(expect.any(String));
  });
});
