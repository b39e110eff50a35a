/**
 * Claims on the SQLite state (issue 20, items 8 and 9): claim tokens that settling a message
 * needs, heartbeats that keep a claim past the visibility timeout, takeover of a claim (and of a
 * run) nobody heartbeats, and maxRunning freed by runs whose owner's claim lapsed. The owners
 * here all count as alive: only the clock, which the test moves, tells a frozen holder from a
 * working one.
 */
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import type { Task, TaskOutput } from '../../src/pipeline/run-manifest.js';
import type { ClaimedMessage, ClaimRef } from '../../src/orchestration/work-queue.js';
import { tempDir } from '../helpers/fixtures.js';
import { LOCAL_RUN_REQUEST } from '../helpers/run-request.js';

const request = LOCAL_RUN_REQUEST;
const policy = { retries: 2, delayMs: 1000, maxDelayMs: 10_000 };
const VISIBILITY = 60_000;
const task = (n: number): Task => ({ id: `t0000${n}`, objects: [{ index: n, key: `k${n}`, size: 1 }], bytes: 1 });
const output = (taskId: string, objects: number): TaskOutput => ({ taskId, objects, events: {}, tables: {}, quarantine: undefined });
const ref = (m: ClaimedMessage | undefined): ClaimRef => ({ messageId: m?.id ?? -1, claimToken: m?.claimToken ?? '' });

// Two processes that count as alive: this one, which plays the frozen holder (it stops
// heartbeating), and one on another machine (only a timeout could tell it is gone), which takes over.
const frozen = thisProcess;
const other = 'other-host.example:4242:1';

/** A state on a fresh database whose queue and run store read a clock the test moves. */
async function store(): Promise<StateStore & { advance(ms: number): void }> {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const s = await openSqliteStateStore(await tempDir(), { now: () => now });
  return { ...s, advance: (ms: number) => void (now += ms) };
}

async function oneTaskRun(s: StateStore, hour = '2019-06-01T15'): Promise<string> {
  const { run } = await s.runs.submit({ lake: '/lake', hour, trigger: 'manual', request });
  await s.queue.enqueue(run.id, [{ kind: 'task', task: task(0) }]);
  return run.id;
}

/** One task claimed by the frozen holder, then, its visibility lapsed, by the other process. */
async function takenOver(s: StateStore & { advance(ms: number): void }): Promise<{ runId: string; stale: ClaimedMessage | undefined; fresh: ClaimedMessage | undefined }> {
  const runId = await oneTaskRun(s);
  const stale = await s.queue.claim(frozen, [runId], VISIBILITY);
  s.advance(VISIBILITY);
  const fresh = await s.queue.claim(other, [runId], VISIBILITY);
  return { runId, stale, fresh };
}

describe('claim tokens', () => {
  it('hands out a different random token with every claim', async () => {
    const s = await store();
    const { runId, stale, fresh } = await takenOver(s);
    expect(stale?.claimToken).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.claimToken).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.claimToken).not.toBe(stale?.claimToken);
    // Listings never show a token: only the claimant knows it.
    expect(JSON.stringify(await s.queue.messages(runId))).not.toContain(fresh?.claimToken);
    s.close();
  });

  it('refuses a late failure with a stale token: the task the new holder completed stays done', async () => {
    const s = await store();
    const { runId, stale, fresh } = await takenOver(s);
    expect(fresh?.id).toBe(stale?.id);
    expect(await s.queue.complete(ref(fresh), output('t00000', 1))).toBe(true);

    // The frozen holder wakes up and reports its (timed-out) attempt as failed: refused.
    expect(await s.queue.fail(ref(stale), 'took too long', policy)).toEqual({ outcome: 'refused' });
    expect(await s.queue.fail(ref(stale), 'took too long', { ...policy, retries: 0 })).toEqual({ outcome: 'refused' });
    expect(await s.queue.counts(runId)).toEqual({ tasks: 1, tasksDone: 1, dead: 0 });
    expect(await s.queue.deadLetters()).toEqual([]);
    expect((await s.queue.messages(runId))[0]).toMatchObject({ status: 'done', claimedBy: other });
    expect(await s.queue.claim(other, [runId], VISIBILITY)).toBeUndefined();
    expect((await s.queue.attempts(runId)).map((a) => [a.worker, a.outcome])).toEqual([
      [frozen, 'lost'],
      [other, 'ok'],
    ]);
    s.close();
  });

  it('refuses a late completion with a stale token: it neither closes the new holder\'s claim nor replaces its result', async () => {
    const s = await store();
    const { runId, stale, fresh } = await takenOver(s);

    expect(await s.queue.complete(ref(stale), output('t00000', 99))).toBe(false);
    expect((await s.queue.messages(runId))[0]).toMatchObject({ status: 'claimed', claimedBy: other });
    expect(await s.queue.counts(runId)).toMatchObject({ tasksDone: 0 });
    expect(await s.queue.heartbeat(ref(stale), VISIBILITY)).toBe(false);
    expect(await s.queue.release(ref(stale))).toBe(false);

    // The new holder's claim is untouched by all of that: it completes, with its own result.
    expect(await s.queue.complete(ref(fresh), output('t00000', 1))).toBe(true);
    expect((await s.queue.results(runId)).map((o) => o.objects)).toEqual([1]);
    // Once settled, the token is spent: a second completion or failure changes nothing.
    expect(await s.queue.complete(ref(fresh), output('t00000', 7))).toBe(false);
    expect(await s.queue.fail(ref(fresh), 'boom', policy)).toEqual({ outcome: 'refused' });
    expect((await s.queue.results(runId)).map((o) => o.objects)).toEqual([1]);
    s.close();
  });

  it('gives a released claim back at once, its attempt uncharged', async () => {
    const s = await store();
    const runId = await oneTaskRun(s);
    const claim = await s.queue.claim(frozen, [runId], VISIBILITY);
    expect(await s.queue.release(ref(claim))).toBe(true);
    const again = await s.queue.claim(other, [runId], VISIBILITY);
    expect(again).toMatchObject({ id: claim?.id, attempts: 1 });
    expect((await s.queue.attempts(runId)).map((a) => [a.worker, a.outcome])).toEqual([[other, 'running']]);
    s.close();
  });
});

describe('heartbeats and takeover', () => {
  it('keeps a heartbeated claim past the visibility timeout, for as long as the heartbeats come', async () => {
    const s = await store();
    const runId = await oneTaskRun(s);
    const claim = await s.queue.claim(frozen, [runId], VISIBILITY);
    for (let beat = 0; beat < 10; beat++) {
      s.advance(VISIBILITY / 2);
      expect(await s.queue.heartbeat(ref(claim), VISIBILITY)).toBe(true);
      expect(await s.queue.claim(other, [runId], VISIBILITY)).toBeUndefined();
    }
    // Five visibility timeouts after the claim, still its holder's; and it completes.
    expect(await s.queue.complete(ref(claim), output('t00000', 1))).toBe(true);
    expect((await s.queue.attempts(runId)).map((a) => a.outcome)).toEqual(['ok']);
    s.close();
  });

  it('hands a claim nobody heartbeats to another live process once its visibility timeout lapses', async () => {
    const s = await store();
    const runId = await oneTaskRun(s);
    const claim = await s.queue.claim(frozen, [runId], VISIBILITY);
    s.advance(VISIBILITY - 1);
    // Not yet: the holder is alive and within its timeout, and nothing frees it early.
    expect(await s.queue.releaseDead()).toBe(0);
    expect(await s.queue.claim(other, [runId], VISIBILITY)).toBeUndefined();
    expect(await s.queue.nextVisible([runId])).toEqual(new Date(Date.parse('2026-01-01T00:00:00Z') + VISIBILITY));
    s.advance(1);
    const taken = await s.queue.claim(other, [runId], VISIBILITY);
    expect(taken).toMatchObject({ id: claim?.id, attempts: 2, claimedBy: other });
    // A heartbeat that comes too late (the frozen process woke up) does not get it back.
    expect(await s.queue.heartbeat(ref(claim), VISIBILITY)).toBe(false);
    expect(await s.queue.heartbeat(ref(taken), VISIBILITY)).toBe(true);
    s.close();
  });

  it('hands a running run whose live owner stopped heartbeating to another process, and keeps one that heartbeats', async () => {
    const s = await store();
    const a = await oneTaskRun(s, '2019-06-01T15');
    const b = await oneTaskRun(s, '2019-06-01T16');
    await s.runs.start(frozen, { ids: [a], claimMs: VISIBILITY });
    await s.runs.start(other, { ids: [b], claimMs: VISIBILITY });
    s.advance(VISIBILITY - 1);
    expect(await s.runs.takeOver(other, { claimMs: VISIBILITY })).toEqual([]);
    // Only b's owner heartbeats.
    expect(await s.runs.heartbeat(other, [b], VISIBILITY)).toEqual([b]);
    s.advance(1);
    const taken = await s.runs.takeOver(other, { claimMs: VISIBILITY });
    expect(taken.map((r) => [r.id, r.owner])).toEqual([[a, other]]);
    // The frozen owner wakes up: its heartbeat tells it the run is no longer its, and it cannot end it.
    expect(await s.runs.heartbeat(frozen, [a], VISIBILITY)).toEqual([]);
    expect(await s.runs.end(a, frozen, { status: 'failed', error: 'late' })).toBe(false);
    expect((await s.runs.get(a))?.status).toBe('running');
    s.close();
  });

  it('frees maxRunning from runs whose owner stopped heartbeating', async () => {
    const s = await store();
    const ids: string[] = [];
    for (const h of ['00', '01', '02', '03']) ids.push(await oneTaskRun(s, `2019-06-01T${h}`));
    // A frozen process holds two runs: the whole state's maxRunning of 2.
    expect((await s.runs.start(frozen, { maxRunning: 2, claimMs: VISIBILITY }))?.id).toBe(ids[0]);
    expect((await s.runs.start(frozen, { maxRunning: 2, claimMs: VISIBILITY }))?.id).toBe(ids[1]);
    s.advance(VISIBILITY - 1);
    expect(await s.runs.start(other, { maxRunning: 2, claimMs: VISIBILITY })).toBeUndefined();
    s.advance(1);
    // Their claims lapsed: they no longer count, and another process starts the next runs.
    expect((await s.runs.start(other, { maxRunning: 2, claimMs: VISIBILITY }))?.id).toBe(ids[2]);
    expect((await s.runs.start(other, { maxRunning: 2, claimMs: VISIBILITY }))?.id).toBe(ids[3]);
    // A heartbeating owner keeps its room: the two fresh runs fill maxRunning again.
    s.advance(VISIBILITY / 2);
    expect(await s.runs.heartbeat(other, [ids[2] as string, ids[3] as string], VISIBILITY)).toHaveLength(2);
    s.advance(VISIBILITY / 2 + 1);
    const late = await oneTaskRun(s, '2019-06-01T04');
    expect(await s.runs.start(other, { maxRunning: 2, claimMs: VISIBILITY })).toBeUndefined();
    // Taking a lapsed run over makes it count again, under its new owner.
    const taken = await s.runs.takeOver(other, { claimMs: VISIBILITY });
    expect(taken.map((r) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await s.runs.get(late))?.status).toBe('queued');
    s.close();
  });
});
