/**
 * The runs API pages: 364 ended runs (real rows of the real state database, written before a real
 * `eventlake serve` opens it) come 200 at a time, each page saying how many match in all, under
 * every filter; a bad offset is refused in one sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { seedFailedRuns } from '../helpers/seeded-runs.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

let served: Served | undefined;
let url: string;
let seeded: string[];

beforeAll(async () => {
  const lake = await tempDir();
  const state = await tempDir('eventlake-state-');
  seeded = await seedFailedRuns(state, lake, 364);
  served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
  url = served.url;
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

const ids = (answer: { json: { runs: { id: string }[] } }): string[] => answer.json.runs.map((r) => r.id);

describe('GET /api/runs pages', () => {
  it('answers 200 of 364 runs with total 364, the rest from offset 200, and none past the end', async () => {
    const newestFirst = [...seeded].reverse();
    const first = await ask(url, '/api/runs');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ total: 364, offset: 0 });
    expect(ids(first)).toEqual(newestFirst.slice(0, 200));

    const second = await ask(url, '/api/runs?offset=200');
    expect(second.json).toMatchObject({ total: 364, offset: 200 });
    expect(ids(second)).toEqual(newestFirst.slice(200));

    const past = await ask(url, '/api/runs?offset=400&limit=50');
    expect(past.json).toMatchObject({ total: 364, offset: 400, runs: [] });
  });

  it('counts the runs that match a filter: a status, an hour range', async () => {
    const failed = await ask(url, '/api/runs?status=failed&limit=10');
    expect(failed.json.total).toBe(364);
    expect(failed.json.runs).toHaveLength(10);
    expect((await ask(url, '/api/runs?status=success')).json).toMatchObject({ total: 0, runs: [] });
    // The first day: 24 hours, 24 runs.
    const day = await ask(url, '/api/runs?from=2018-01-01T00&to=2018-01-01T23&limit=5&offset=20');
    expect(day.json.total).toBe(24);
    expect(day.json.runs.map((r: { hour: string }) => r.hour)).toEqual(['2018-01-01T03', '2018-01-01T02', '2018-01-01T01', '2018-01-01T00']);
  });

  it('refuses an offset that is not a whole number, in one sentence', async () => {
    for (const offset of ['-1', 'x', '1.5']) {
      const answer = await ask(url, `/api/runs?offset=${offset}`);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatch(/^offset must be a whole number/);
    }
  });
});
