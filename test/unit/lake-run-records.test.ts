import { describe, expect, it } from 'vitest';
import { listLakeRuns, writeLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
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
