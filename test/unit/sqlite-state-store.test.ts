/** The SQLite state store on a real database file: runs, the queue's delivery rules, dead letters, events. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RunRequest } from '../../src/orchestration/run-store.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import type { Task } from '../../src/pipeline/run-manifest.js';
import { tempDir } from '../helpers/fixtures.js';

const request: RunRequest = {
  source: { kind: 'local', root: '/src' },
  lake: { kind: 'local', root: '/lake' },
  layout: 'any',
  format: 'parquet',
  codec: 'zstd',
  targetFileBytes: 1 << 20,
  maxLineBytes: 1 << 20,
  timezone: 'UTC',
};
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
