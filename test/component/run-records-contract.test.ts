/**
 * One port, two adapters: the same run-record scenario against the local state's SQLite store and
 * the cloud's records in the lake (a real folder, and a store honouring conditional writes as S3
 * does). Where the two differ by design, the difference is a hook, said here: a local run is ended
 * by the process holding it (it starts it first); a cloud run is ended while it is queued, by
 * whoever gets there first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LakeRunStore } from '../../src/orchestration/lake/lake-run-store.js';
import { writeLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import type { RunRecords, RunSummary } from '../../src/orchestration/run-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { runIdFor } from '../../src/pipeline/lake-layout.js';
import type { RunManifest } from '../../src/pipeline/run-manifest.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { LOCAL_RUN_REQUEST } from '../helpers/run-request.js';

const LAKE = '/lake';

function planOf(label: string, suffix: string): RunManifest {
  const hour = parseHour(label) as Hour;
  return {
    runId: runIdFor(hour, suffix),
    source: { kind: 'local', root: '/src' },
    format: 'parquet',
    codec: 'zstd',
    targetFileBytes: 1 << 20,
    maxLineBytes: 1 << 20,
    hour,
    partitionKey: label,
    sourceLocation: '/src',
    objects: 2,
    bytes: 200,
    skipped: [],
    tasks: [{ id: 't00000', objects: [{ index: 0, key: 'a.json', size: 100 }, { index: 1, key: 'b.json', size: 100 }], bytes: 200 }],
    plannedAt: new Date().toISOString(),
  };
}

const SUMMARY: RunSummary = { objects: 2, bytes: 200, skipped: 0, events: { vehicle: 5 }, quarantined: 0, outputs: [], seconds: 1, quarantinedShare: 0 };

interface Adapter {
  readonly runs: RunRecords;
  /** What must happen before `end` counts: the local engine starts (holds) the run; the cloud needs nothing. */
  readonly hold: (runId: string) => Promise<void>;
}

const opened: StateStore[] = [];
afterEach(() => {
  for (const state of opened.splice(0)) state.close();
});

const adapters: Record<string, () => Promise<Adapter>> = {
  'SQLite (the local state)': async () => {
    const state = await openStateStore({ kind: 'sqlite', dir: await tempDir() });
    opened.push(state);
    return { runs: state.runs, hold: async (id) => void (await state.runs.start('me', { ids: [id], claimMs: 60_000 })) };
  },
  'the lake, a folder (the cloud)': async () => ({ runs: new LakeRunStore(new LocalObjectStore(await tempDir())), hold: async () => undefined }),
  'the lake, conditional writes as on S3 (double)': async () => ({ runs: new LakeRunStore(new ConditionalMemoryStore()), hold: async () => undefined }),
};

describe.each(Object.entries(adapters))('the run records of %s', (_name, open) => {
  it('queue a planned run once per hour, keep its plan, end it once, and reopen it after a failure', async () => {
    const { runs, hold } = await open();
    const plan = planOf('2019-06-01T15', 'aaaaaaaa');
    const first = await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan });
    expect(first).toMatchObject({ created: true, run: { id: plan.runId, hour: '2019-06-01T15', status: 'queued', trigger: 'schedule', planned: true, request: LOCAL_RUN_REQUEST } });
    // A second submit of the hour while the first is active answers the first.
    const second = await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'manual', request: LOCAL_RUN_REQUEST, plan: planOf('2019-06-01T15', 'bbbbbbbb') });
    expect(second).toMatchObject({ created: false, run: { id: plan.runId } });
    expect(await runs.manifest(plan.runId)).toEqual(plan);
    expect((await runs.get(plan.runId))?.status).toBe('queued');

    await hold(plan.runId);
    expect(await runs.end(plan.runId, 'me', { status: 'success', summary: SUMMARY, poorQuality: false })).toBe(true);
    // Ended once: a second end (a duplicate close, a late sweep) is refused and changes nothing.
    expect(await runs.end(plan.runId, 'me', { status: 'failed', error: 'too late' })).toBe(false);
    expect(await runs.get(plan.runId)).toMatchObject({ status: 'success', summary: SUMMARY, finishedAt: expect.any(String) as string });

    const next = planOf('2019-06-01T16', 'cccccccc');
    await runs.submit({ lake: LAKE, hour: '2019-06-01T16', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan: next });
    await hold(next.runId);
    expect(await runs.end(next.runId, 'me', { status: 'failed', error: 'task t00000 was dead-lettered' })).toBe(true);
    expect(await runs.get(next.runId)).toMatchObject({ status: 'failed', error: 'task t00000 was dead-lettered' });
    const reopened = await runs.reopen(next.runId);
    expect(reopened).toMatchObject({ id: next.runId, status: 'queued' });
    expect(reopened.error).toBeUndefined();
    expect(reopened.finishedAt).toBeUndefined();

    expect((await runs.list()).map((r) => r.id).sort()).toEqual([plan.runId, next.runId].sort());
    expect((await runs.list({ status: 'success' })).map((r) => r.id)).toEqual([plan.runId]);
    expect((await runs.list({ hour: '2019-06-01T16' })).map((r) => r.id)).toEqual([next.runId]);
    expect((await runs.list({ fromHour: '2019-06-01T16' })).map((r) => r.id)).toEqual([next.runId]);
    expect(await runs.newestHour(LAKE)).toBe('2019-06-01T16');
    expect(await runs.newestHour(LAKE, 'success')).toBe('2019-06-01T15');
  });

  it('answer a plan submitted twice with the run as it is, even once it has ended (never queued again)', async () => {
    const { runs, hold } = await open();
    const plan = planOf('2019-06-01T15', 'abababab');
    await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan });
    await hold(plan.runId);
    await runs.end(plan.runId, 'me', { status: 'success', summary: SUMMARY, poorQuality: false });
    const again = await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan });
    expect(again).toMatchObject({ created: false, run: { id: plan.runId, status: 'success', summary: SUMMARY } });
    expect((await runs.get(plan.runId))?.status).toBe('success');
  });

  it('refuse to reopen a failed run while another run of its hour is active', async () => {
    const { runs, hold } = await open();
    const failed = planOf('2019-06-01T15', 'dddddddd');
    await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan: failed });
    await hold(failed.runId);
    await runs.end(failed.runId, 'me', { status: 'failed', error: 'boom' });
    await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'manual', request: LOCAL_RUN_REQUEST, plan: planOf('2019-06-01T15', 'eeeeeeee') });
    await expect(runs.reopen(failed.runId)).rejects.toThrow(/hour 2019-06-01T15 has another run in progress \(2019-06-01T15-eeeeeeee\); replay after it ends/);
  });
});

describe('the lake\'s run records', () => {
  it('of two changes made from the same reading (a close and a sweep), exactly one wins (double honouring If-Match)', async () => {
    const store = new ConditionalMemoryStore();
    const runs = new LakeRunStore(store);
    const plan = planOf('2019-06-01T15', 'ffffffff');
    await runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST, plan });
    let reads = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    store.before = async (operation) => {
      if (operation !== 'readVersion') return;
      if (++reads === 2) release();
      await bothRead;
    };
    const ends = await Promise.all([
      runs.end(plan.runId, 'closer', { status: 'success', summary: SUMMARY, poorQuality: false }),
      new LakeRunStore(store).end(plan.runId, 'sweep', { status: 'failed', error: 'stale' }),
    ]);
    store.before = undefined;
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect((await runs.get(plan.runId))?.status).toBe(ends[0] ? 'success' : 'failed');
  });

  it('a run is recorded with its plan: a submit without one is refused', async () => {
    const runs = new LakeRunStore(new ConditionalMemoryStore());
    await expect(runs.submit({ lake: LAKE, hour: '2019-06-01T15', trigger: 'schedule', request: LOCAL_RUN_REQUEST })).rejects.toThrow('a run recorded in the lake is recorded with its plan: plan the hour first');
  });

  it('reads a record written before requests and triggers were kept: the request from its plan, said as a schedule run', async () => {
    const store = new ConditionalMemoryStore();
    const plan = planOf('2019-06-01T15', '99999999');
    await writeLakeRun(store, { version: 1, runId: plan.runId, hour: '2019-06-01T15', status: 'queued', queuedAt: new Date().toISOString(), manifest: plan });
    expect(await new LakeRunStore(store).get(plan.runId)).toMatchObject({
      trigger: 'schedule',
      lake: 'memory://lake/',
      request: { source: plan.source, format: 'parquet', codec: 'zstd', layout: 'any', timezone: 'UTC' },
    });
  });
});
