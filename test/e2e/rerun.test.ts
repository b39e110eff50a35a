/** A run for hour H replaces exactly hour H: reruns, changed inputs and crashes never duplicate. */
import { runsIn } from '../helpers/in-process.js';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { avrocat, listFiles, query, runCli, tempDir, writeObject } from '../helpers/fixtures.js';
import { spawnCli } from '../helpers/long-running.js';

const HOUR = '2019-06-01T15';
const good = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T18:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org-id' });

async function snapshot(lake: string): Promise<Record<string, string>> {
  // The hour's publication record beside its lease names the run: not part of the hour's contents.
  const files = (await listFiles(lake)).filter((f) => !f.startsWith(`${lake}/_leases/`)).sort();
  const entries = await Promise.all(
    files.map(async (f) => [f.slice(lake.length), createHash('sha256').update(await readFile(f)).digest('hex')] as const),
  );
  return Object.fromEntries(entries);
}

async function run(source: string, lake: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', `${lake}-state`, ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

describe('reruns', () => {
  it.each([['parquet'], ['avro']])('leave identical %s contents', async (format) => {
    const source = await tempDir();
    const lake = await tempDir();
    for (let s = 0; s < 30; s++) {
      await writeObject(source, `2019-06-01-15-1-${s}-events.json`, `${good(`a${s}`)}\n${good(`b${s}`)}\nnot json\n`);
    }
    await run(source, lake, ['--format', format]);
    const first = await snapshot(lake);
    await run(source, lake, ['--format', format]);
    expect(await snapshot(lake)).toEqual(first);
    // Each run leaves its record in the state.
    const records = await runsIn(`${lake}-state`);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ hour: HOUR, lake, status: 'success', request: { format, source: { root: source } }, summary: { events: { vehicle: 60 }, quarantined: 30 } });
    expect(Object.keys(first).filter((f) => f.includes('/_quarantine/'))).not.toHaveLength(0);
  });

  it.each([['parquet'], ['avro']])('write the same %s bytes in rows of source order whatever the lake path and worker count', async (format) => {
    const source = await tempDir();
    const generated = await runCli(['generate', '--out', source, '--hour', HOUR, '--vehicles', '30', '--json']);
    expect(generated.code).toBe(0);
    await writeObject(source, 'bad/2019-06-01-15-3-3-events.json', `${good('x')}\nnot json\n`);
    const one = await tempDir();
    const two = `${await tempDir()}/some/deeper/lake`;
    await run(source, one, ['--format', format, '--workers', '1']);
    await run(source, two, ['--format', format, '--workers', '2']);
    expect(await snapshot(two)).toEqual(await snapshot(one));
    if (format === 'avro') {
      const records = (await listFiles(`${one}/vehicle`)).sort().flatMap((f) => avrocat(f));
      const order = records.map((r) => [Buffer.from(String(r['source_object'])), Number(r['source_line'])] as const);
      for (let i = 1; i < order.length; i++) {
        const [pk, pl] = order[i - 1] as readonly [Buffer, number];
        const [k, l] = order[i] as readonly [Buffer, number];
        expect(Buffer.compare(pk, k) < 0 || (Buffer.compare(pk, k) === 0 && pl < l)).toBe(true);
      }
      expect(records.length).toBeGreaterThan(1000);
    }
  });

  it('replace the hour when its inputs change, quarantine included, and leave other hours alone', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('v1')}\n${good('v2')}\nbroken\n`);
    await writeObject(source, '2019-06-01-15-0-2-events.json', `${good('v3')}\n`);
    await writeObject(source, '2019-06-01-16-0-1-events.json', `${good('other-hour')}\n`);
    await run(source, lake);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', '2019-06-01T16', '--json']);
    expect(result.code).toBe(0);

    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('v1')}\n${good('v2')}\n`);
    await rm(`${source}/2019-06-01-15-0-2-events.json`);
    await run(source, lake);
    const rows = await query(`SELECT vehicle_id, hour FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY 1`);
    expect(rows).toEqual([
      { vehicle_id: 'other-hour', hour: '16' },
      { vehicle_id: 'v1', hour: '15' },
      { vehicle_id: 'v2', hour: '15' },
    ]);
    expect(await listFiles(`${lake}/_quarantine`)).toEqual([]);
    expect((await listFiles(lake)).filter((f) => f.includes('_staging'))).toEqual([]);
  });
});

/** Rows per table of the whole lake, read strictly: a torn or missing file fails the read. */
async function countRows(lake: string): Promise<Record<string, string>> {
  const rows = await query(
    `SELECT split_part(filename[${lake.length + 2}:], '/', 1) AS t, count(*) AS n FROM read_parquet('${lake}/*/*/*/*.parquet', union_by_name = true, filename = true) GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [String(r['t']), String(r['n'])]));
}

describe('a crash', () => {
  // Deterministic crash points (EVENTLAKE_CRASH_AT): the process kills itself there with SIGKILL.
  it.each([['after-first-task'], ['after-journal'], ['between-renames']])(
    'at %s leaves one complete copy of each partition readable, and the next run replaces the hour exactly once',
    async (point) => {
      const source = await tempDir();
      const lake = await tempDir();
      const generated = await runCli(['generate', '--out', source, '--hour', HOUR, '--vehicles', '40', '--json']);
      const events = JSON.parse(generated.stdout) as { events: number };
      await run(source, lake, ['--workers', '1']);
      const before = await countRows(lake);
      expect(Number(before['vehicle']) + Number(before['operating_period'])).toBe(events.events);
      // New input for the crashed run: two more vehicle rows, so old and new copies differ.
      await writeObject(source, 'late/2019-06-01-15-59-59-events.json', `${good('late-1')}\n${good('late-2')}\n`);
      const crashed = spawnCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--state', `${lake}-state`, '--workers', '1'], { EVENTLAKE_CRASH_AT: point });
      // The process killed itself at the point: it died of SIGKILL (an exit of its own has a code, no signal)…
      expect(await crashed.exited, crashed.err()).toEqual({ code: null, signal: 'SIGKILL' });
      // …with its run unfinished in the state and its publishing not done: staging still there,
      // with the journal only from the point it is written on.
      expect((await runsIn(`${lake}-state`)).map((r) => r.status)).toEqual(['success', 'running']);
      expect(existsSync(`${lake}/_staging`)).toBe(true);
      const journals = (await listFiles(`${lake}/_staging`)).filter((f) => f.endsWith('/publish.json'));
      expect(journals).toHaveLength(point === 'after-first-task' ? 0 : 1);
      // Readers see whole partitions: the old copy, or (past the first rename) the new one.
      const during = await countRows(lake);
      const vehicleBefore = Number(before['vehicle']);
      expect(during['operating_period']).toBe(before['operating_period']);
      expect(Number(during['vehicle'])).toBe(point === 'between-renames' ? vehicleBefore + 2 : vehicleBefore);

      await run(source, lake, ['--workers', '1']);
      // The crashed run, left "running" by a dead process, was taken over and finished: one record each.
      const records = await runsIn(`${lake}-state`);
      expect(records.map((r) => r.status)).toEqual(['success', 'success']);
      const after = await countRows(lake);
      expect(after).toEqual({ ...before, vehicle: String(vehicleBefore + 2) });
      const leftovers = (await listFiles(lake)).filter((f) => f.includes('_staging') || f.endsWith('.lease') || f.includes('.takeover-'));
      expect(leftovers).toEqual([]);
    },
  );
});
