/** The SQLite state store on a real database file: runs, the queue's delivery rules, dead letters, events. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { describeStorageFailure } from '../../src/orchestration/sqlite/storage-failure.js';
import { headerProblem } from '../../src/orchestration/sqlite/state-file-check.js';
import { SqliteRunStore } from '../../src/orchestration/sqlite/sqlite-run-store.js';
import { openState } from '../../src/orchestration/sqlite/state-database.js';
import { StateGuard } from '../../src/orchestration/sqlite/state-guard.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import type { Task } from '../../src/pipeline/run-manifest.js';
import { tempDir } from '../helpers/fixtures.js';
import { LOCAL_RUN_REQUEST } from '../helpers/run-request.js';

const request = LOCAL_RUN_REQUEST;
const policy = { retries: 2, delayMs: 40, maxDelayMs: 1000 };
const task = (n: number): Task => ({ id: `t0000${n}`, objects: [{ index: n, key: `k${n}`, size: 1 }], bytes: 1 });

/** A store on a fresh database, with a clock the test moves (`store.advance(ms)`) instead of sleeping. */
async function store(): Promise<StateStore & { advance(ms: number): void }> {
  let now = Date.now();
  const s = await openSqliteStateStore(await tempDir(), { now: () => now });
  return Object.assign(s, { advance: (ms: number) => void (now += ms) });
}

/** A process that has exited: its pid is free, as after kill -9. */
function deadOwner(): string {
  const pid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  return `${thisProcess.split(':')[0] ?? ''}:${pid}:1`;
}

describe('the run store', () => {
  it('keeps one queued or running run per hour of a lake and answers it to a second submit', async () => {
    const s = await store();
    const first = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    const second = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'backfill', request });
    const otherLake = await s.runs.submit({ lake: '/other', hour: '2019-06-01T15', trigger: 'manual', request });
    expect(first.created).toBe(true);
    expect(second).toEqual({ run: first.run, created: false });
    expect(otherLake.created).toBe(true);
    const started = await s.runs.start('me', { ids: [first.run.id], claimMs: 60_000 });
    await s.runs.end(first.run.id, 'me', { status: 'failed', error: 'boom' });
    expect(started?.status).toBe('running');
    // Once it ended, the hour can be run again: a new run.
    const again = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    expect(again.created).toBe(true);
    expect(again.run.id).not.toBe(first.run.id);
    s.close();
  });

  it('starts no more than maxRunning runs across the state, oldest first', async () => {
    const s = await store();
    const ids = [];
    for (const h of ['00', '01', '02']) ids.push((await s.runs.submit({ lake: '/lake', hour: `2019-06-01T${h}`, trigger: 'backfill', request })).run.id);
    expect((await s.runs.start('a', { maxRunning: 2, claimMs: 60_000 }))?.id).toBe(ids[0]);
    expect((await s.runs.start('b', { maxRunning: 2, claimMs: 60_000 }))?.id).toBe(ids[1]);
    expect(await s.runs.start('c', { maxRunning: 2, claimMs: 60_000 })).toBeUndefined();
    s.close();
  });

  it('hands a running run whose owner died to the first process that asks, once', async () => {
    const s = await store();
    const { run } = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    await s.runs.start(deadOwner(), { ids: [run.id], claimMs: 60_000 });
    const taken = await s.runs.takeOver(thisProcess, { claimMs: 60_000 });
    expect(taken.map((r) => r.id)).toEqual([run.id]);
    expect(taken[0]?.owner).toBe(thisProcess);
    // Its new owner is alive: nobody else takes it.
    expect(await s.runs.takeOver('someone-else', { claimMs: 60_000 })).toEqual([]);
    s.close();
  });
});

describe('the work queue', () => {
  it('delivers each task once at a time, tasks before the finish, and retries a failure after its backoff', async () => {
    const s = await store();
    const { run } = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    await s.queue.enqueue(run.id, [{ kind: 'task', task: task(1) }, { kind: 'task', task: task(0) }]);
    await s.queue.enqueue(run.id, [{ kind: 'task', task: task(0) }]); // again: kept as it is
    const a = await s.queue.claim('me', [run.id], 60_000);
    const b = await s.queue.claim('me', [run.id], 60_000);
    expect([a?.task?.id, b?.task?.id]).toEqual(['t00000', 't00001']);
    expect(await s.queue.claim('me', [run.id], 60_000)).toBeUndefined();

    const outcome = await s.queue.fail({ messageId: a?.id ?? 0, claimToken: a?.claimToken ?? '' }, 'disk full', policy);
    expect(outcome).toMatchObject({ outcome: 'retry', attempt: 1 });
    // Not visible before its backoff (40 ms), visible once it has passed.
    expect(await s.queue.claim('me', [run.id], 60_000)).toBeUndefined();
    s.advance(39);
    expect(await s.queue.claim('me', [run.id], 60_000)).toBeUndefined();
    s.advance(1);
    const retried = await s.queue.claim('me', [run.id], 60_000);
    expect(retried).toMatchObject({ id: a?.id, attempts: 2 });
    s.close();
  });

  it('dead-letters a message after its last attempt, and a replay gives it a fresh set', async () => {
    const s = await store();
    const { run } = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    await s.queue.enqueue(run.id, [{ kind: 'task', task: task(0) }]);
    let outcome;
    for (let i = 0; i < 3; i++) {
      const m = await s.queue.claim('me', [run.id], 60_000);
      outcome = await s.queue.fail({ messageId: m?.id ?? 0, claimToken: m?.claimToken ?? '' }, `boom ${i + 1}`, { ...policy, delayMs: 0 });
    }
    expect(outcome).toMatchObject({ outcome: 'dead', deadLetter: { attempts: 3, error: 'boom 3', taskId: 't00000', runId: run.id, hour: '2019-06-01T15' } });
    expect(await s.queue.claim('me', [run.id], 60_000)).toBeUndefined();
    expect(await s.queue.counts(run.id)).toEqual({ tasks: 1, tasksDone: 0, dead: 1 });
    const [letter] = await s.queue.deadLetters();
    expect((await s.queue.attempts(run.id)).map((a) => a.outcome)).toEqual(['error', 'error', 'error']);

    await s.queue.replay((letter as { id: number }).id);
    await expect(s.queue.replay((letter as { id: number }).id)).rejects.toThrow(/already replayed/);
    expect(await s.queue.deadLetters()).toEqual([]);
    const again = await s.queue.claim('me', [run.id], 60_000);
    expect(again?.attempts).toBe(1);
    s.close();
  });

  it('makes a claim visible again when its visibility times out, and at once when its claimer is dead', async () => {
    const s = await store();
    const { run } = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    await s.queue.enqueue(run.id, [{ kind: 'task', task: task(0) }, { kind: 'task', task: task(1) }]);
    const dead = deadOwner();
    // A live but slow worker takes t00000 for 30 ms, one that then died takes t00001.
    expect((await s.queue.claim(thisProcess, [run.id], 30))?.task?.id).toBe('t00000');
    expect((await s.queue.claim(dead, [run.id], 60_000))?.task?.id).toBe('t00001');
    expect(await s.queue.releaseDead()).toBe(1);
    // The dead claimer's message is visible at once; the slow one's once its 30 ms have passed.
    expect((await s.queue.claim('me', [run.id], 60_000))?.task?.id).toBe('t00001');
    s.advance(29);
    expect(await s.queue.claim('me', [run.id], 60_000)).toBeUndefined();
    s.advance(1);
    expect((await s.queue.claim('me', [run.id], 60_000))?.task?.id).toBe('t00000');
    expect((await s.queue.attempts(run.id)).filter((a) => a.outcome === 'lost')).toHaveLength(2);
    s.close();
  });

  it('records task outputs and answers them in task order', async () => {
    const s = await store();
    const { run } = await s.runs.submit({ lake: '/lake', hour: '2019-06-01T15', trigger: 'manual', request });
    await s.queue.enqueue(run.id, [{ kind: 'task', task: task(1) }, { kind: 'task', task: task(0) }]);
    for (;;) {
      const m = await s.queue.claim('me', [run.id], 60_000);
      if (!m) break;
      await s.queue.complete({ messageId: m.id, claimToken: m.claimToken }, { taskId: m.task?.id ?? '', objects: 1, events: {}, tables: {}, quarantine: undefined });
    }
    expect((await s.queue.results(run.id)).map((o) => o.taskId)).toEqual(['t00000', 't00001']);
    expect(await s.queue.counts(run.id)).toEqual({ tasks: 2, tasksDone: 2, dead: 0 });
    s.close();
  });
});

describe('the event log', () => {
  it('records an event once per key with one delivery per subscribed callback', async () => {
    const s = await store();
    const payload = { event: 'deadline_miss' as const, run: { id: 'r', hour: '2019-06-01T15', status: 'running' as const, attempt: 1, error: null }, at: 'now' };
    expect(await s.events.record({ kind: 'deadline_miss', key: 'k', runId: 'r', payload, callbacks: ['a', 'b'] })).toBe(true);
    expect(await s.events.record({ kind: 'deadline_miss', key: 'k', runId: 'r', payload, callbacks: ['a', 'b'] })).toBe(false);
    expect(await s.events.pendingDeliveries(['a', 'b'])).toBe(2);
    // A process whose configuration names other callbacks leaves these to one that knows them.
    expect(await s.events.claimDelivery('other', ['c'])).toBeUndefined();
    expect(await s.events.pendingDeliveries(['c'])).toBe(0);
    const d = await s.events.claimDelivery('me', ['a', 'b']);
    await s.events.settleDelivery((d as { id: number }).id, { ok: false, attempts: 2, status: 500, error: 'answered 500', ms: 3 });
    const [failed] = (await s.events.deliveries()).filter((x) => x.status === 'failed');
    expect(failed).toMatchObject({ callback: 'a', attempts: 2, httpStatus: 500, error: 'answered 500' });
    expect(await s.events.pendingDeliveries(['a', 'b'])).toBe(1);
    s.close();
  });
});

/** Issue 20 item 11: damage to the state is named, never silently made anew or written past. */
describe('a state that is missing, damaged or lost', () => {
  const DB = 'eventlake.db';
  const submit = (s: StateStore, hour = '2019-06-01T15') => s.runs.submit({ lake: '/lake', hour, trigger: 'manual', request });

  it('a store opened to read where there is no state fails naming the path and makes nothing', async () => {
    const root = await tempDir();
    const dir = join(root, 'mistyped');
    await expect(openSqliteStateStore(dir, { create: false })).rejects.toThrow(new RegExp(`^no eventlake state in ${escape(dir)} \\(${escape(join(dir, DB))} does not exist\\): eventlake run or up creates it`));
    expect(existsSync(dir)).toBe(false);
    // An empty folder (a state folder being made, or a wrong one): the same, and still empty.
    await mkdir(dir);
    await expect(openSqliteStateStore(dir, { create: false })).rejects.toThrow(/^no eventlake state in /);
    expect(await readdir(dir)).toEqual([]);
  });

  for (const [what, damage, message] of [
    ['emptied to 0 bytes', (b: Buffer) => b.subarray(0, 0), /is damaged \(0 bytes\)/],
    ['cut mid-page', (b: Buffer) => b.subarray(0, 4096 + 1000), /is damaged \(cut short: 5096 bytes, not a whole number of 4096-byte pages\)/],
    ['cut at a page boundary', (b: Buffer) => b.subarray(0, 4096), /is damaged \(cut short: 4096 of \d+ bytes\)/],
    ['overwritten with text', () => Buffer.from('not a database at all, just some words written over the file\n'.repeat(3)), /is damaged \(not a SQLite database\)/],
  ] as const) {
    it(`a database file ${what} is named and left untouched, never made anew`, async () => {
      const dir = await tempDir();
      const s = await openSqliteStateStore(dir);
      for (const h of ['00', '01', '02', '03', '04', '05']) await submit(s, `2019-06-01T${h}`);
      s.close();
      const whole = await readFile(join(dir, DB));
      expect(whole.length).toBeGreaterThan(4096);
      const damaged = damage(whole);
      await writeFile(join(dir, DB), damaged);
      for (const create of [true, false]) {
        const err = await openSqliteStateStore(dir, { create }).then(() => undefined, (e: unknown) => e as Error);
        expect(err?.message).toMatch(message);
        expect(err?.message).toContain(join(dir, DB));
        expect(err?.message).toMatch(/it was left as it is/);
      }
      expect(Buffer.compare(await readFile(join(dir, DB)), damaged)).toBe(0);
    });
  }

  it('a file shorter than its header says, with a write-ahead log beside it (a checkpoint cut short), is left to SQLite to recover', async () => {
    const dir = await tempDir();
    const s = await openSqliteStateStore(dir);
    for (const h of ['00', '01', '02', '03', '04', '05']) await submit(s, `2019-06-01T${h}`);
    s.close();
    const whole = await readFile(join(dir, DB));
    // Page 1 already says the new size; the file has not grown to it yet.
    const cut = whole.subarray(0, 4096);
    expect(headerProblem(cut, cut.length)).toMatch(/^cut short: 4096 of \d+ bytes$/);
    expect(headerProblem(cut, cut.length, true)).toBeUndefined();
    // A log with content is what makes the difference; an empty one does not.
    await writeFile(join(dir, DB), cut);
    await writeFile(join(dir, `${DB}-wal`), '');
    await expect(openSqliteStateStore(dir, { create: false })).rejects.toThrow(/cut short/);
  });

  it('a folder whose database was deleted (its .id marker remains) is refused, not given a second empty history', async () => {
    const dir = await tempDir();
    const s = await openSqliteStateStore(dir);
    await submit(s);
    s.close();
    expect((await readFile(join(dir, `${DB}.id`), 'utf8')).trim()).toMatch(/^[0-9a-f-]{36}$/);
    await rm(join(dir, DB));
    for (const create of [true, false]) {
      await expect(openSqliteStateStore(dir, { create })).rejects.toThrow(
        `the state database ${join(dir, DB)} is missing, though this folder held one (${join(dir, `${DB}.id`)} is still there): put the database back, or delete ${join(dir, `${DB}.id`)} to start an empty state`,
      );
    }
    expect(existsSync(join(dir, DB))).toBe(false);
    // Deleting the marker too is the way to start again.
    await rm(join(dir, `${DB}.id`));
    const fresh = await openSqliteStateStore(dir);
    expect(await fresh.runs.list({})).toEqual([]);
    fresh.close();
  });

  it('another state\'s database put in place is refused until its marker says so', async () => {
    const [dir, other] = [await tempDir(), await tempDir()];
    for (const d of [dir, other]) (await openSqliteStateStore(d)).close();
    await copyFile(join(other, DB), join(dir, DB));
    await expect(openSqliteStateStore(dir)).rejects.toThrow(new RegExp(`^the state database ${escape(join(dir, DB))} is not the one this folder held`));
    // Its own backup is welcome back: the same state.
    const backup = await readFile(join(other, DB));
    await writeFile(join(dir, DB), backup);
    await rm(join(dir, `${DB}.id`));
    (await openSqliteStateStore(dir)).close();
  });

  it('a store whose file is deleted under it stops every use with one sentence and saves what it held beside', async () => {
    const dir = await tempDir();
    const s = await openSqliteStateStore(dir);
    const failures: Error[] = [];
    s.onFailure((err) => failures.push(err));
    const { run } = await submit(s);
    await rm(join(dir, DB));
    const err = await s.runs.get(run.id).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(new RegExp(`^the state database ${escape(join(dir, DB))} was deleted while this process was using it; stopped so as not to write into a file no one will read; what it held is saved in (\\S+): move it back`));
    expect(failures).toEqual([err]);
    // Nothing more is written to the orphan: a submit fails the same way, and listeners hear once.
    await expect(submit(s, '2019-06-01T16')).rejects.toBe(err);
    expect(failures).toHaveLength(1);
    s.close();
    // What it held is there, and a new command is refused until it is put back.
    const saved = /saved in (\S+):/.exec(err?.message ?? '')?.[1] as string;
    await expect(openSqliteStateStore(dir)).rejects.toThrow(/is missing, though this folder held one/);
    await rename(saved, join(dir, DB));
    const back = await openSqliteStateStore(dir);
    expect((await back.runs.get(run.id))?.hour).toBe('2019-06-01T15');
    back.close();
  });

  it('a store whose file is replaced under it stops, naming it', async () => {
    const dir = await tempDir();
    const s = await openSqliteStateStore(dir);
    await submit(s);
    await rename(join(dir, DB), join(dir, 'moved.db'));
    await copyFile(join(dir, 'moved.db'), join(dir, DB));
    await expect(s.queue.deadLetters({ includeReplayed: true })).rejects.toThrow(/was replaced by another file while this process was using it/);
    s.close();
  });

  it('a database that cannot grow (SQLite\'s max_page_count: a real SQLITE_FULL) fails once, naming the folder, and what was committed stays', async () => {
    const dir = await tempDir();
    const opened = await openState(dir);
    const guard = new StateGuard(opened);
    const runs = guard.wrap(new SqliteRunStore(opened.db));
    const failures: Error[] = [];
    guard.onFailure((err) => failures.push(err));
    const first = await runs.submit({ lake: '/lake', hour: '2019-06-01T00', trigger: 'manual', request });
    opened.db.pragma(`max_page_count = ${opened.db.pragma('page_count', { simple: true }) as number}`);
    let err: Error | undefined;
    for (let day = 1; day <= 28 && err === undefined; day++) {
      for (let h = 0; h < 24 && err === undefined; h++) {
        const hour = `2019-07-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}`;
        err = await runs.submit({ lake: '/lake', hour, trigger: 'manual', request }).then(() => undefined, (e: unknown) => e as Error);
      }
    }
    expect(err?.message).toBe(`the state folder ${dir} is full: database or disk is full (SQLITE_FULL); free some space there and run again (what was saved before is kept)`);
    expect(failures).toEqual([err]);
    // Every use from then on says the same, and writes nothing.
    await expect(runs.list({})).rejects.toBe(err);
    opened.db.close();
    const again = await openSqliteStateStore(dir);
    expect((await again.runs.get(first.run.id))?.hour).toBe('2019-06-01T00');
    again.close();
  });

  it('storage failures of SQLite become one sentence naming the folder (errors injected with their SQLite codes)', () => {
    const path = '/state/eventlake.db';
    const failure = (code: string, message: string) => describeStorageFailure(Object.assign(new Error(message), { code }), path);
    expect(failure('SQLITE_FULL', 'database or disk is full')).toBe('the state folder /state is full: database or disk is full (SQLITE_FULL); free some space there and run again (what was saved before is kept)');
    expect(failure('SQLITE_READONLY', 'attempt to write a readonly database')).toMatch(/^the state folder \/state cannot be written: .*\(SQLITE_READONLY\); make it writable/);
    expect(failure('SQLITE_IOERR_WRITE', 'disk I/O error')).toMatch(/^the state database \/state\/eventlake.db could not be read or written: disk I\/O error \(SQLITE_IOERR_WRITE\)/);
    expect(failure('SQLITE_CORRUPT', 'database disk image is malformed')).toMatch(/^the state database \/state\/eventlake.db is damaged/);
    expect(failure('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed')).toBeUndefined();
    expect(failure('SQLITE_BUSY', 'database is locked')).toBeUndefined();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
