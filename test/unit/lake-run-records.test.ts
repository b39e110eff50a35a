import { describe, expect, it } from 'vitest';
import { listLakeRuns, writeLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import { LakeRunStore } from '../../src/orchestration/lake/lake-run-store.js';
import type { RunManifest } from '../../src/pipeline/run-manifest.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';

describe('run records in the lake', () => {
  it('lists the newest hours first and reads only as many records as asked for', async () => {
    const store = new ConditionalMemoryStore();
    for (const hour of ['2019-06-01T13', '2019-06-01T15', '2019-06-01T14']) {
      await writeLakeRun(store, { version: 1, runId: `${hour}-a`, hour, status: 'queued', queuedAt: new Date().toISOString(), manifest: { tasks: [] } as unknown as RunManifest });
    }
    const read: string[] = [];
    store.before = (operation, key) => {
      if (operation === 'readVersion') read.push(key);
    };
    expect((await listLakeRuns(store, undefined, 2)).map((r) => r.hour)).toEqual(['2019-06-01T15', '2019-06-01T14']);
    expect(read).toHaveLength(2);
    expect((await listLakeRuns(store)).map((r) => r.hour)).toEqual(['2019-06-01T15', '2019-06-01T14', '2019-06-01T13']);
  });
});

describe('the queued runs of a sweep\'s hours', () => {
  it('are read with one listing per day, not one per hour, and only those queued in the hours asked for', async () => {
    const store = new ConditionalMemoryStore();
    const runs = new LakeRunStore(store);
    const hours = ['2019-06-01T00', '2019-06-01T01', '2019-05-31T23', '2019-05-31T22', '2019-05-30T05'];
    for (const [i, hour] of hours.entries()) {
      await writeLakeRun(store, { version: 1, runId: `${hour}-a`, hour, status: i === 1 ? 'success' : 'queued', queuedAt: new Date().toISOString(), manifest: { tasks: [] } as unknown as RunManifest });
    }
    const lists: string[] = [];
    store.before = (operation, key) => {
      if (operation === 'list') lists.push(key);
    };
    // The 24 hours before 2019-06-01T02: two days.
    const swept = Array.from({ length: 24 }, (_, i) => new Date(Date.parse('2019-06-01T01:00:00Z') - i * 3_600_000).toISOString().slice(0, 13));
    expect((await runs.queuedIn(swept)).map((r) => r.hour)).toEqual(['2019-06-01T00', '2019-05-31T23', '2019-05-31T22']);
    expect(lists).toEqual(['_runs/2019-06-01T', '_runs/2019-05-31T']);
  });
});
