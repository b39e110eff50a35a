/**
 * `kill -9` of a run at several points (reading, committing, a random moment), then the same
 * `eventlake run` again (or `eventlake resume`): the lake equals a clean run's, row for row.
 */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFiles, query, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { dbRuns, duplicateLines, spawnCli, waitFor } from '../helpers/long-running.js';

const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none', EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none' };

interface TableDigest {
  readonly rows: number;
  readonly digest: string;
}

/** Per table: its row count and a hash of its sorted rows (every column, source_object and source_line included). */
async function lakeDigest(lake: string): Promise<Record<string, TableDigest>> {
  const tables = (await readdir(lake)).filter((t) => !t.startsWith('_')).sort();
  const out: Record<string, TableDigest> = {};
  for (const table of tables) {
    const [row] = await query(
      `SELECT count(*) AS n, md5(string_agg(r, chr(10) ORDER BY r)) AS d FROM (SELECT CAST(t AS VARCHAR) AS r FROM read_parquet('${lake}/${table}/*/*/*.parquet', hive_partitioning = true) t)`,
    );
    out[table] = { rows: Number(row?.['n']), digest: String(row?.['d']) };
  }
  const quarantine = (await listFiles(`${lake}/_quarantine`)).filter((f) => f.endsWith('.jsonl'));
  const lines = (await Promise.all(quarantine.map((f) => readFile(f, 'utf8')))).join('').split('\n').filter(Boolean).sort();
  out['_quarantine'] = { rows: lines.length, digest: lines.join('\n') };
  return out;
}

async function leftovers(lake: string): Promise<string[]> {
  return (await listFiles(lake)).filter((f) => f.includes('/_staging') || f.endsWith('.lease') || f.includes('.takeover-'));
}

function runArgs(source: string, lake: string, state: string): string[] {
  return ['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--workers', '1', '--json'];
}

async function cleanLake(source: string): Promise<Record<string, TableDigest>> {
  const lake = await tempDir();
  const clean = await runCli(runArgs(source, lake, await tempDir()), undefined, QUIET);
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  return lakeDigest(lake);
}

/** Checks the lake after the recovering command: the clean run's rows, once each, nothing left behind. */
async function expectLikeClean(lake: string, state: string, clean: Record<string, TableDigest>): Promise<void> {
  expect(await lakeDigest(lake)).toEqual(clean);
  expect(await duplicateLines(lake)).toEqual([]);
  expect(await duplicateLines(lake, 'operating_period')).toEqual([]);
  expect(await leftovers(lake)).toEqual([]);
  // The crashed run was taken over and finished: it is the hour's only run.
  expect(dbRuns(state).map((r) => [r.hour, r.status])).toEqual([[SAMPLE_HOUR, 'success']]);
}

describe('kill -9 of a run, then again', () => {
  let sampleClean: Record<string, TableDigest>;
  beforeAll(async () => {
    sampleClean = await cleanLake(SAMPLE);
    expect(sampleClean['vehicle']?.rows).toBeGreaterThan(30_000);
  });

  it.each([
    ['after-plan', 'run'],
    ['after-first-task', 'run'],
    ['after-journal', 'run'],
    ['between-renames', 'run'],
    ['after-first-task', 'resume'],
    ['between-renames', 'resume'],
  ])('at %s, then eventlake %s: the lake equals a clean run of the sample', { timeout: 120_000 }, async (point, recover) => {
    const lake = await tempDir();
    const state = await tempDir();
    const crashed = spawnCli(runArgs(SAMPLE, lake, state), { ...QUIET, EVENTLAKE_CRASH_AT: point });
    expect(await crashed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The dead process left its run mid-way.
    expect(dbRuns(state).map((r) => r.status)).toEqual(['running']);

    const again = recover === 'run' ? await runCli(runArgs(SAMPLE, lake, state), undefined, QUIET) : await runCli(['resume', '--state', state, '--json'], undefined, QUIET);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    if (recover === 'resume') {
      const out = JSON.parse(again.stdout) as { runs: { hour: string; status: string }[] };
      expect(out.runs.map((r) => [r.hour, r.status])).toEqual([[SAMPLE_HOUR, 'success']]);
    }
    await expectLikeClean(lake, state, sampleClean);
  });

  describe('at a random moment of a bigger generated hour', () => {
    let source: string;
    let generatedClean: Record<string, TableDigest>;
    beforeAll(async () => {
      source = await tempDir();
      // Big enough that a run outlasts the latest kill (1.5 s after it is recorded): since the
      // scan got faster, a 100-vehicle hour was sometimes done before the kill came.
      const generated = await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '600', '--json']);
      expect(generated.code).toBe(0);
      generatedClean = await cleanLake(source);
    }, 120_000);

    it.each([[1], [2], [3]])('(#%i), then eventlake run: the lake equals a clean run', { timeout: 120_000 }, async () => {
      const lake = await tempDir();
      const state = await tempDir();
      const delay = 200 + Math.floor(Math.random() * 1300);
      const victim = spawnCli(runArgs(source, lake, state), QUIET);
      // Wait until the process has opened its state, then the random moment.
      await waitFor('the run to be recorded', () => dbRuns(state).length > 0, 60_000, 10);
      await new Promise((r) => setTimeout(r, delay));
      victim.child.kill('SIGKILL');
      const killed = await victim.exited;
      const statusAtKill = dbRuns(state).map((r) => r.status);
      const again = await runCli(runArgs(source, lake, state), undefined, QUIET);
      expect({ delay, killed, statusAtKill, stderr: again.stderr, code: again.code }).toEqual({ delay, killed, statusAtKill, stderr: '', code: 0 });
      await expectLikeClean(lake, state, generatedClean);
    });
  });
});
