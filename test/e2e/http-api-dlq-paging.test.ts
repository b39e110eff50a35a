/**
 * GET /api/dlq pages its three lists as GET /api/runs pages the runs: 250 dead letters, 230
 * deadline misses and their 230 callback deliveries (real rows of the real state database,
 * written before a real `eventlake serve` opens it) come 200 at a time, each list from its own
 * offset and with its total; a bad offset or limit is refused in one sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { seedDeadLetters, seedDeadlineMisses } from '../helpers/seeded-dead-letters.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

let served: Served | undefined;
let url: string;

beforeAll(async () => {
  const lake = await tempDir();
  const state = await tempDir('eventlake-state-');
  await seedDeadLetters(state, lake, 250);
  await seedDeadlineMisses(state, lake, 230);
  served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
  url = served.url;
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

const ids = (list: { id: number }[]): number[] => list.map((x) => x.id);

describe('GET /api/dlq pages', () => {
  it('answers 200 of each list with its total, the rest from each list’s own offset, and none past the end', async () => {
    const first = await ask(url, '/api/dlq');
    expect(first.status).toBe(200);
    expect(first.json.totals).toEqual({ deadLetters: 250, deadlineMisses: 230, deliveries: 230 });
    expect(first.json.offsets).toEqual({ deadLetters: 0, deadlineMisses: 0, deliveries: 0 });
    expect(first.json.deadLetters).toHaveLength(200);
    expect(first.json.deadlineMisses).toHaveLength(200);
    expect(first.json.deliveries).toHaveLength(200);

    const second = await ask(url, '/api/dlq?deadLettersOffset=200&deadlineMissesOffset=200&deliveriesOffset=200');
    expect(second.json.offsets).toEqual({ deadLetters: 200, deadlineMisses: 200, deliveries: 200 });
    expect(second.json.totals).toEqual(first.json.totals);
    expect(second.json.deadLetters).toHaveLength(50);
    expect(second.json.deadlineMisses).toHaveLength(30);
    expect(second.json.deliveries).toHaveLength(30);
    // Every one once across the pages, newest first.
    for (const [name, total] of [['deadLetters', 250], ['deadlineMisses', 230], ['deliveries', 230]] as const) {
      const all = [...ids(first.json[name]), ...ids(second.json[name])];
      expect(new Set(all).size).toBe(total);
      expect(all).toEqual([...all].sort((a, b) => b - a));
    }

    // One list paged leaves the others on their first page.
    const one = await ask(url, '/api/dlq?deliveriesOffset=200&limit=20');
    expect(one.json.offsets).toEqual({ deadLetters: 0, deadlineMisses: 0, deliveries: 200 });
    expect(ids(one.json.deadLetters)).toEqual(ids(first.json.deadLetters).slice(0, 20));
    expect(ids(one.json.deliveries)).toEqual(ids(second.json.deliveries).slice(0, 20));

    const past = await ask(url, '/api/dlq?deadLettersOffset=400');
    expect(past.json).toMatchObject({ deadLetters: [], totals: { deadLetters: 250 }, offsets: { deadLetters: 400 } });
  });

  it('refuses an offset or a limit out of range, in one sentence', async () => {
    for (const [query, message] of [
      ['deadLettersOffset=-1', /^deadLettersOffset must be a whole number from 0/],
      ['deliveriesOffset=x', /^deliveriesOffset must be a whole number from 0/],
      ['deadlineMissesOffset=1.5', /^deadlineMissesOffset must be a whole number from 0/],
      ['limit=0', /^limit must be a whole number from 1 to 1000/],
      ['limit=1001', /^limit must be a whole number from 1 to 1000/],
    ] as const) {
      const answer = await ask(url, `/api/dlq?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
  });
});
