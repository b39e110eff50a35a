/**
 * `kill -9` of a run at several points (reading, committing, a random moment), then the same
 * `eventlake run` again (or `eventlake resume`): the lake equals a clean run's, row for row.
 * Each case first proves its kill landed: the process died of SIGKILL while its run was still
 * unfinished in the state and the hour not (fully) published in the lake.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFiles, query, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { dbRuns, duplicateLines, spawnCli, stateRows, waitFor } from '../helpers/long-running.js';

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

/** The partition folders readers see (the quarantine's included): not staging, not leases. */
async function publishedPartitions(lake: string): Promise<string[]> {
  const files = (await listFiles(lake)).map((f) => relative(lake, f));
  const published = files.filter((f) => !f.startsWith('_staging/') && !f.startsWith('_leases/') && !f.includes('.takeover-'));
  return [...new Set(published.map((f) => dirname(f)))].sort();
}

/** Publish journals runs left in staging (written just before the first partition is swapped in). */
async function journals(lake: string): Promise<string[]> {
  return (await listFiles(`${lake}/_staging`)).filter((f) => f.endsWith('/publish.json'));
}

/** How far the run had got, from the state: for a failure message, so it says where the kill landed. */
function progress(state: string): string {
  const [run] = stateRows<{ status: string; planned: number }>(state, `SELECT status, manifest IS NOT NULL AS planned FROM runs`);
  if (!run) return 'no run recorded';
  const messages = stateRows<{ kind: string; status: string }>(state, `SELECT kind, status FROM messages`);
  const tasks = messages.filter((m) => m.kind === 'task');
  const finish = messages.find((m) => m.kind === 'finish');
  const plan = run.planned ? `planned, ${tasks.filter((t) => t.status === 'done').length}/${tasks.length} tasks done` : 'not planned yet';
  return `run ${run.status}, ${plan}, finish ${finish ? finish.status : 'not queued'}`;
}

function runArgs(source: string, lake: string, state: string): string[] {
  return ['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--workers', '1', '--json'];
}

interface Clean {
  readonly digest: Record<string, TableDigest>;
  readonly partitions: string[];
}

async function cleanLake(source: string): Promise<Clean> {
  const lake = await tempDir();
  const clean = await runCli(runArgs(source, lake, await tempDir()), undefined, QUIET);
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  return { digest: await lakeDigest(lake), partitions: await publishedPartitions(lake) };
}

/** Checks the lake after the recovering command: the clean run's rows, once each, nothing left behind. */
async function expectLikeClean(lake: string, state: string, clean: Clean, at = ''): Promise<void> {
  expect(await lakeDigest(lake), at).toEqual(clean.digest);
  expect(await duplicateLines(lake), at).toEqual([]);
  expect(await duplicateLines(lake, 'operating_period'), at).toEqual([]);
  expect(await leftovers(lake), at).toEqual([]);
  // The crashed run was taken over and finished: it is the hour's only run.
  expect(dbRuns(state).map((r) => [r.hour, r.status]), at).toEqual([[SAMPLE_HOUR, 'success']]);
}

describe('kill -9 of a run, then again', () => {
  let sampleClean: Clean;
  beforeAll(async () => {
    sampleClean = await cleanLake(SAMPLE);
    expect(sampleClean.digest['vehicle']?.rows).toBeGreaterThan(30_000);
    // More than one partition, so a crash between two renames leaves the hour half published.
    expect(sampleClean.partitions.length).toBeGreaterThan(1);
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
    // The process killed itself at the point (an exit of its own would have a code, no signal).
    expect(await crashed.exited, crashed.err()).toEqual({ code: null, signal: 'SIGKILL' });
    // The dead process left its run mid-way.
    expect(dbRuns(state).map((r) => r.status)).toEqual(['running']);
    // And the hour unpublished (the lake was empty): nothing before the journal, one partition of
    // several between the renames.
    const published = await publishedPartitions(lake);
    if (point === 'between-renames') {
      expect(published).toHaveLength(1);
      expect(sampleClean.partitions).toEqual(expect.arrayContaining(published));
    } else {
      expect(published).toEqual([]);
    }
    expect(await journals(lake)).toHaveLength(point === 'after-journal' || point === 'between-renames' ? 1 : 0);

    const again = recover === 'run' ? await runCli(runArgs(SAMPLE, lake, state), undefined, QUIET) : await runCli(['resume', '--state', state, '--json'], undefined, QUIET);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    if (recover === 'resume') {
      const out = JSON.parse(again.stdout) as { runs: { hour: string; status: string }[] };
      expect(out.runs.map((r) => [r.hour, r.status])).toEqual([[SAMPLE_HOUR, 'success']]);
    }
    await expectLikeClean(lake, state, sampleClean);
  });

  describe('at a random moment of a generated hour', () => {
    /**
     * The victim pauses this long before publishing (EVENTLAKE_PAUSE_AT=before-publish), far past
     * the latest kill: a kill that outlasts reading and writing lands in the pause, never after
     * the run succeeded. A kill always lands, deterministically, before the hour is published.
     */
    const PAUSE_MS = 120_000;
    let source: string;
    let generatedClean: Clean;
    /** From the run being recorded to its success, in a clean run of a process like the victim. */
    let cleanMs: number;
    beforeAll(async () => {
      source = await tempDir();
      // 100 vehicles over the first 10 minutes of the hour (600 objects, ~28,000 events, about a
      // second's run): small enough to be quick, yet each kill still lands at a random moment of
      // planning, reading the objects, writing the parts or the pause before publishing, since
      // its moment is drawn within this hour's measured run.
      const generated = await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '100', '--seconds', '600', '--json']);
      expect(generated.code).toBe(0);
      generatedClean = await cleanLake(source);
      expect(generatedClean.digest['vehicle']?.rows).toBeGreaterThan(10_000);
      // The clean run is timed as a process of its own, as the victim is.
      const lake = await tempDir();
      const state = await tempDir();
      const clean = spawnCli(runArgs(source, lake, state), QUIET);
      expect(await clean.exited, clean.err()).toEqual({ code: 0, signal: null });
      const [run] = dbRuns(state);
      expect(run?.status).toBe('success');
      cleanMs = (run?.finished_at ?? 0) - (run?.queued_at ?? 0);
      expect(cleanMs).toBeGreaterThan(0);
      expect(cleanMs).toBeLessThan(PAUSE_MS / 4);
      expect(await lakeDigest(lake)).toEqual(generatedClean.digest);
    }, 120_000);

    it.each([[1], [2], [3]])('(#%i of 3), then eventlake run: the lake equals a clean run', { timeout: 120_000 }, async (n) => {
      const lake = await tempDir();
      const state = await tempDir();
      // Case n draws its moment in the n-th third of a clean run: early, middle and late moments each time.
      const delay = Math.floor(((n - 1 + Math.random()) / 3) * cleanMs);
      const victim = spawnCli(runArgs(source, lake, state), { ...QUIET, EVENTLAKE_PAUSE_AT: 'before-publish', EVENTLAKE_PAUSE_MS: String(PAUSE_MS) });
      // Wait until the process has recorded its run, then the random moment.
      await waitFor('the run to be recorded', () => dbRuns(state).length > 0, 60_000, 10);
      await new Promise((r) => setTimeout(r, delay));
      victim.child.kill('SIGKILL');
      const killed = await victim.exited;
      const at = `kill ${delay} ms after the run was recorded (a clean run takes ${cleanMs} ms); at the kill: ${progress(state)}`;
      // The kill landed: the process died of it, its run unfinished, the hour unpublished.
      expect(killed, `${at}\n${victim.err()}`).toEqual({ code: null, signal: 'SIGKILL' });
      expect(dbRuns(state).map((r) => r.status), at).toEqual([expect.stringMatching(/^(queued|running)$/)]);
      expect(await publishedPartitions(lake), at).toEqual([]);

      const again = await runCli(runArgs(source, lake, state), undefined, QUIET);
      expect(again.stderr, at).toBe('');
      expect(again.code, at).toBe(0);
      await expectLikeClean(lake, state, generatedClean, at);
    });
  });
});
