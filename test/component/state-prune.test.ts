/**
 * `eventlake state prune` on a real SQLite state after real runs: finished runs lose their
 * manifest, messages and attempts and keep their record and summary; a dead-lettered run is
 * kept whole; --dry-run changes nothing.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { writeSmallHour } from '../helpers/processes.js';

const [H1, H2, BAD] = ['2019-06-01T15', '2019-06-01T16', '2019-06-01T17'];
const NO_RETRIES = { EVENTLAKE_RETRIES_COUNT: '0', EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' };

interface Shape {
  readonly runs: { hour: string; status: string; manifestBytes: number; summary: boolean }[];
  readonly messagesByHour: Record<string, number>;
  readonly attempts: number;
  readonly deadLetters: number;
}

/** What the state file holds, read with SQLite itself. */
function shapeOf(state: string): Shape {
  const db = new Database(join(state, 'eventlake.db'), { readonly: true });
  try {
    const runs = db
      .prepare(`SELECT hour, status, coalesce(length(manifest), 0) AS manifestBytes, summary IS NOT NULL AS summary FROM runs ORDER BY hour`)
      .all() as { hour: string; status: string; manifestBytes: number; summary: number }[];
    const messages = db.prepare(`SELECT r.hour, count(*) AS n FROM messages m JOIN runs r ON r.id = m.run_id GROUP BY r.hour`).all() as { hour: string; n: number }[];
    return {
      runs: runs.map((r) => ({ ...r, summary: r.summary === 1 })),
      messagesByHour: Object.fromEntries(messages.map((m) => [m.hour, m.n])),
      attempts: (db.prepare(`SELECT count(*) AS n FROM attempts`).get() as { n: number }).n,
      deadLetters: (db.prepare(`SELECT count(*) AS n FROM dead_letters`).get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

describe('eventlake state prune', () => {
  it('prunes finished runs but keeps their summaries and the dead-lettered run; --dry-run changes nothing', { timeout: 180_000 }, async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    for (const hour of [H1, H2, BAD]) await writeSmallHour(source, hour, 3, 4);
    const common = ['--state', state];
    const runArgs = [...common, '--source', source, '--lake', lake, '--workers', '1'];
    for (const hour of [H1, H2]) expect((await runCli(['run', '--hour', hour, '--json', ...runArgs], undefined, NO_RETRIES)).code).toBe(0);
    const bad = await runCli(['run', '--hour', BAD, '--json', ...runArgs], undefined, { ...NO_RETRIES, EVENTLAKE_FAIL_TASK: 't00000' });
    expect(bad.code).not.toBe(0);

    const before = shapeOf(state);
    expect(before.runs.map((r) => [r.hour, r.status])).toEqual([
      [H1, 'success'],
      [H2, 'success'],
      [BAD, 'failed'],
    ]);
    expect(before.runs.every((r) => r.manifestBytes > 0)).toBe(true);
    expect(before.messagesByHour[H1]).toBeGreaterThan(0);
    expect(before.deadLetters).toBe(1);

    // The default retention (30d) finds nothing this young.
    const young = await runCli(['state', 'prune', '--json', ...common]);
    expect(young.stderr).toBe('');
    expect(JSON.parse(young.stdout).prune).toMatchObject({ runs: 0, messages: 0, bytes: 0, dryRun: false, olderThan: '30d' });
    expect(shapeOf(state)).toEqual(before);

    const dry = await runCli(['state', 'prune', '--older-than', '0s', '--dry-run', '--json', ...common]);
    expect(dry.code).toBe(0);
    const wouldGo = JSON.parse(dry.stdout).prune as Record<string, number | boolean>;
    expect(wouldGo).toMatchObject({ runs: 2, keptDeadLettered: 1, dryRun: true });
    expect(wouldGo['messages']).toBe((before.messagesByHour[H1] ?? 0) + (before.messagesByHour[H2] ?? 0));
    expect(wouldGo['bytes']).toBeGreaterThan((before.runs[0]?.manifestBytes ?? 0) + (before.runs[1]?.manifestBytes ?? 0));
    expect(shapeOf(state)).toEqual(before);

    const pruned = await runCli(['state', 'prune', '--older-than', '0s', '--json', ...common]);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout).prune).toEqual({ ...wouldGo, dryRun: false, finishedBefore: expect.any(String) as string });

    const after = shapeOf(state);
    expect(after.runs).toEqual([
      { hour: H1, status: 'success', manifestBytes: 0, summary: true },
      { hour: H2, status: 'success', manifestBytes: 0, summary: true },
      before.runs[2],
    ]);
    expect(after.messagesByHour).toEqual({ [BAD]: before.messagesByHour[BAD] });
    expect(after.attempts).toBeLessThan(before.attempts);
    expect(after.attempts).toBeGreaterThan(0);
    expect(after.deadLetters).toBe(1);

    // Status still shows the pruned runs with their rows; the dead letter is still there to replay.
    const status = await runCli(['status', '--json', ...common]);
    const runs = JSON.parse(status.stdout).runs as { hour: string; status: string; events?: Record<string, number> }[];
    expect(runs.filter((r) => r.hour !== BAD).map((r) => [r.hour, r.status, r.events])).toEqual([
      [H2, 'success', { vehicle: 12 }],
      [H1, 'success', { vehicle: 12 }],
    ]);
    const dlq = await runCli(['dlq', 'list', '--json', ...common]);
    expect((JSON.parse(dlq.stdout).deadLetters as { hour: string }[]).map((d) => d.hour)).toEqual([BAD]);

    // Pruning again finds nothing more; the text form says what it did.
    const again = await runCli(['state', 'prune', '--older-than', '0s', ...common]);
    expect(again.stdout).toBe('pruned 0 finished runs older than 0s (0 queue messages, 0 attempts, 0 B of plans and messages); 1 with dead letters kept for replay; their summaries stay\n');
  });

  it('refuses a --older-than that is not a duration, in one line', async () => {
    const dir = await tempDir();
    const result = await runCli(['state', 'prune', '--older-than', 'a month', '--state', join(dir, 'state')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--older-than takes a duration such as 500ms/);
  });
});
