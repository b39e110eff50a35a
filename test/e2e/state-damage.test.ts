/**
 * Issue 20 item 11: damage to the state is never silent. Commands that only read never make a
 * state; a damaged database is named and left alone; a database deleted under a running `up`
 * stops it (what it held saved beside) and a new command does not start a second history; a
 * full disk under the state or its log is one sentence, exit code 1, nothing committed lost.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, runCliProcess, tempDir, type CliResult } from '../helpers/fixtures.js';
import { dbRuns, rowsPerHour, spawnCli, waitFor, writeSmallHour } from '../helpers/long-running.js';

const QUIET = { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none', EVENTLAKE_DEADLINES_MAX_RUN_DURATION: 'none', EVENTLAKE_SERVER_PORT: '0' };
const HOUR = '2019-06-01T05';

/** stderr is exactly one line starting `eventlake: `, and no stack trace. */
function oneSentence(r: CliResult): string {
  expect(r.stderr).toMatch(/^eventlake: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr.trim();
}

/** A state that ran one small hour, closed. */
async function ranOnce(): Promise<{ source: string; lake: string; state: string; lines: number }> {
  const [source, lake, state] = [await tempDir(), await tempDir(), await tempDir()];
  const lines = await writeSmallHour(source, HOUR, 2, 3);
  const r = await runCliProcess(['run', '--source', source, '--lake', lake, '--state', state, '--hour', HOUR, '--layout', 'flat', '--workers', '1', '--json'], undefined, QUIET);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { source, lake, state, lines };
}

describe('commands that only read the state', () => {
  it('status, dlq list and dlq show on a mistyped --state fail naming the path and make nothing', { timeout: 60_000 }, async () => {
    const root = await tempDir();
    const state = join(root, 'typo');
    for (const args of [['status'], ['status', '--json'], ['dlq', 'list'], ['dlq', 'show', '1']]) {
      const r = await runCliProcess([...args, '--state', state], root, QUIET);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(oneSentence(r)).toBe(
        `eventlake: no eventlake state in ${state} (${join(state, 'eventlake.db')} does not exist): eventlake run or up creates it; check --state, the config's state or EVENTLAKE_STATE`,
      );
    }
    expect(await readdir(root)).toEqual([]);
  });
});

describe('a damaged state database', () => {
  it('a database emptied to 0 bytes or cut mid-page is named, left untouched, and not made anew by any command', { timeout: 90_000 }, async () => {
    const { source, lake, state } = await ranOnce();
    const db = join(state, 'eventlake.db');
    const size = (await readFile(db)).length;
    for (const [cut, what] of [[size - 1000, /is damaged \(cut short: \d+ bytes, not a whole number of \d+-byte pages\)/], [0, /is damaged \(0 bytes\)/]] as const) {
      await truncate(db, cut);
      const before = await readFile(db);
      for (const args of [['status'], ['run', '--source', source, '--lake', lake, '--hour', HOUR, '--layout', 'flat', '--workers', '1']]) {
        const r = await runCliProcess([...args, '--state', state], undefined, QUIET);
        expect(r.code).toBe(1);
        const line = oneSentence(r);
        expect(line).toMatch(what);
        expect(line).toContain(db);
        expect(line).toContain('it was left as it is');
      }
      expect(Buffer.compare(await readFile(db), before)).toBe(0);
    }
  });
});

describe('a database deleted under a running eventlake up', () => {
  it('stops up with one sentence, saves what it held beside, and a new command does not start a second history', { timeout: 120_000 }, async () => {
    const { source, lake, state } = await ranOnce();
    const db = join(state, 'eventlake.db');
    const up = spawnCli(['up', '--source', source, '--lake', lake, '--state', state, '--layout', 'flat', '--workers', '1', '--json'], { ...QUIET, EVENTLAKE_SCHEDULE_TICK: '100ms' });
    await waitFor('a tick of up', () => {
      if (up.child.exitCode !== null) throw new Error(`up exited: ${up.err()}`);
      return dbTicks(db) > 0;
    }, 60_000, 50);

    await rm(db);
    const exit = await up.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = up.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    const match = new RegExp(`^eventlake: the state database ${escape(db)} was deleted while this process was using it; stopped so as not to write into a file no one will read; what it held is saved in (\\S+): move it back to ${escape(db)} to go on with that history$`).exec(lines[0] ?? '');
    expect(match).not.toBeNull();
    const saved = match?.[1] as string;

    // A new command is refused: the folder held a state, and the marker says so.
    for (const args of [['status'], ['run', '--source', source, '--lake', lake, '--hour', '2019-06-01T06', '--layout', 'flat', '--workers', '1']]) {
      const r = await runCliProcess([...args, '--state', state], undefined, QUIET);
      expect(r.code).toBe(1);
      expect(oneSentence(r)).toBe(
        `eventlake: the state database ${db} is missing, though this folder held one (${db}.id is still there): put the database back, or delete ${db}.id to start an empty state`,
      );
    }
    expect(existsSync(db)).toBe(false);

    // Put back, the history goes on: the hour that ran is there.
    await rename(saved, db);
    const status = await runCliProcess(['status', '--json', '--state', state], undefined, QUIET);
    expect(status.stderr).toBe('');
    expect((JSON.parse(status.stdout) as { runs: { hour: string; status: string }[] }).runs.map((r) => [r.hour, r.status])).toContainEqual([HOUR, 'success']);
  });
});

describe('a full disk under the state', () => {
  it('a debug log on a full device (/dev/full, real ENOSPC) is one sentence naming the folder, exit 1, and the run itself is kept', { timeout: 90_000 }, async () => {
    const [source, lake, state] = [await tempDir(), await tempDir(), await tempDir()];
    const lines = await writeSmallHour(source, HOUR, 2, 3);
    await mkdir(join(state, 'logs'));
    await symlink('/dev/full', join(state, 'logs', 'eventlake.log'));
    const r = await runCliProcess(['run', '--source', source, '--lake', lake, '--state', state, '--hour', HOUR, '--layout', 'flat', '--workers', '1', '--json'], undefined, QUIET);
    expect(r.code).toBe(1);
    expect(oneSentence(r)).toMatch(
      new RegExp(`^eventlake: the log folder ${escape(join(state, 'logs'))} is full \\(ENOSPC\\): the debug log ${escape(join(state, 'logs', 'eventlake.log'))} stops here`),
    );
    // Nothing lost: the run's result was printed, its hour published and recorded.
    expect(JSON.parse(r.stdout)).toMatchObject({ hour: HOUR, objects: 2 });
    expect(dbRuns(state).map((x) => [x.hour, x.status])).toEqual([[HOUR, 'success']]);
    expect(await rowsPerHour(lake)).toEqual({ [HOUR]: lines });
  });

  it('a state database that cannot grow (file-size limit set with prlimit: SQLite fails the write) is one sentence naming it, exit 1, and what was committed stays', { timeout: 90_000 }, async () => {
    const { source, lake, state, lines } = await ranOnce();
    await writeSmallHour(source, '2019-06-01T06', 2, 3);
    await writeFile(join(state, 'logs', 'eventlake.log'), '');
    const r = await limitedRun(['run', '--source', source, '--lake', lake, '--state', state, '--hour', '2019-06-01T06', '--layout', 'flat', '--workers', '1', '--json'], 64 * 1024);
    expect(r.code).toBe(1);
    const line = oneSentence(r);
    // Past the limit a write is cut short or refused (EFBIG): SQLite's SQLITE_FULL or SQLITE_IOERR_WRITE, as on a full disk.
    expect(line).toMatch(new RegExp(`^eventlake: the state (folder ${escape(state)} is full|database ${escape(join(state, 'eventlake.db'))} could not be read or written): .*\\((SQLITE_FULL|SQLITE_IOERR_WRITE)\\)`));
    // What was committed before stays, and the database is whole.
    const db = new Database(join(state, 'eventlake.db'), { readonly: true });
    try {
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    expect(dbRuns(state).filter((x) => x.hour === HOUR).map((x) => x.status)).toEqual(['success']);
    expect((await rowsPerHour(lake))[HOUR]).toBe(lines);
  });
});

function dbTicks(db: string): number {
  const handle = new Database(db, { readonly: true });
  try {
    return (handle.prepare(`SELECT coalesce(max(ticks), 0) AS n FROM schedulers`).get() as { n: number }).n;
  } finally {
    handle.close();
  }
}

/** The CLI as a process whose files may grow to `bytes` at most (Node ignores SIGXFSZ: writes past it fail with EFBIG). */
async function limitedRun(args: readonly string[], bytes: number): Promise<CliResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [`--fsize=${bytes}`, process.execPath, CLI, ...args], { env: { ...process.env, FORCE_COLOR: '0', ...QUIET } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
