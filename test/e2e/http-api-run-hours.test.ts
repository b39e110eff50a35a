/**
 * GET /api/runs/hours answers the hour grid's window whole, however many runs the state holds:
 * a success of 2018-03-01T10 queued first, then 1,000 failed runs of older hours (real rows of the
 * real state database, written before a real `eventlake serve` opens it). GET /api/runs?limit=1000
 * no longer holds the success; the window still does, with the newest run of each hour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { hourAfter, seedFailedRuns, seedSucceededRun } from '../helpers/seeded-runs.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

let served: Served | undefined;
let url: string;
let succeeded: string;

beforeAll(async () => {
  const lake = await tempDir();
  const state = await tempDir('eventlake-state-');
  succeeded = await seedSucceededRun(state, lake, '2018-03-01T10', false);
  // 1,000 hours from 2017-01-01T00: 2017-01-01 to 2017-02-11, 42 days.
  await seedFailedRuns(state, lake, 1000, '2017-01-01T00');
  served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
  url = served.url;
}, 180_000);

afterAll(async () => {
  await served?.stop();
});

describe('GET /api/runs/hours', () => {
  it('holds the newest 31 days with runs and the newest run of each of their hours, past the 1,000 runs a list answers', async () => {
    const capped = await ask(url, '/api/runs?limit=1000');
    expect(capped.json.total).toBe(1001);
    expect(capped.json.runs.some((r: { id: string }) => r.id === succeeded)).toBe(false);

    const window = await ask(url, '/api/runs/hours');
    expect(window.status).toBe(200);
    expect(window.json.totalDays).toBe(43);
    expect(window.json.days).toHaveLength(31);
    expect(window.json.days[0]).toBe('2018-03-01');
    expect(window.json.days[1]).toBe('2017-02-11');
    expect(window.json.days[30]).toBe('2017-01-13');
    const hours = window.json.runs.map((r: { hour: string }) => r.hour) as string[];
    expect(window.json.runs.find((r: { hour: string }) => r.hour === '2018-03-01T10')).toMatchObject({ id: succeeded, status: 'success' });
    // Every hour of those days that has a run, once: 2017-01-13T00 to the 1,000th hour, and the success.
    const expected = Array.from({ length: 1000 }, (_, n) => hourAfter('2017-01-01T00', n)).filter((h) => h >= '2017-01-13');
    expect(hours.sort()).toEqual([...expected, '2018-03-01T10'].sort());
  });

  it('takes the number of days, and refuses one out of range in one sentence', async () => {
    const two = await ask(url, '/api/runs/hours?days=2');
    expect(two.json).toMatchObject({ days: ['2018-03-01', '2017-02-11'], totalDays: 43 });
    expect(two.json.runs).toHaveLength(1 + 16);
    for (const days of ['0', '367', 'x']) {
      const answer = await ask(url, `/api/runs/hours?days=${days}`);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatch(/^days must be a whole number from 1 to 366/);
    }
  });
});
