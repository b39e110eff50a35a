/**
 * The independent BI computation (test/helpers/independent-bi-answer.ts) on a feed small enough
 * to answer by hand. All points lie on the equator or on the meridian 0, where the haversine
 * distance is exactly R times the angle: one degree is D = 6371.0088 × π / 180 = 111.19508 km.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { independentAnswer, independentAnswerFromFolder } from '../helpers/independent-bi-answer.js';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';

const D = 111.1950802335329;

const t = (hhmmss: string, ms = '000'): string => `2019-06-01T${hhmmss}.${ms}Z`;
const at = (org: string, vehicle: string, time: string, lat: number, lng: number, event = 'update'): string =>
  JSON.stringify({ event, on: 'vehicle', at: time, data: { id: vehicle, location: { lat, lng, at: time } }, organization_id: org });
const period = (org: string, event: string, time: string, id: string, start: string, finish: string): string =>
  JSON.stringify({ event, on: 'operating_period', at: time, data: { id, start, finish }, organization_id: org });

// org-a: p1 [10:00, 10:10] (its first create said [10:00, 10:01]; the later one counts), p2 deleted.
// org-b: p1 too (same id, its own interval [10:05, 10:20]), p2 too (live, but no vehicle inside).
// v1 is a vehicle of both organizations.
const FIRST = [
  period('org-a', 'create', t('09:58:00'), 'p1', t('10:00:00'), t('10:01:00')),
  period('org-a', 'create', t('09:59:00'), 'p1', t('10:00:00'), t('10:10:00')),
  period('org-a', 'create', t('09:59:00'), 'p2', t('10:00:00'), t('10:10:00')),
  period('org-a', 'delete', t('10:00:00'), 'p2', t('10:00:00'), t('10:10:00')),
  period('org-b', 'create', t('09:59:30'), 'p1', t('10:05:00'), t('10:20:00')),
  period('org-b', 'create', t('09:59:30'), 'p2', t('10:00:00'), t('10:01:00')),
  // org-a v1: 0° → 1° → 2° of longitude inside its p1 (2 D), the 10:02 point sent twice, one point after the period.
  at('org-a', 'v1', t('10:01:00'), 0, 0, 'register'),
  at('org-a', 'v1', t('10:02:00'), 0, 1),
  at('org-a', 'v1', t('10:02:00'), 0, 1),
  at('org-a', 'v1', t('10:06:00'), 0, 2),
  at('org-a', 'v1', t('10:11:00'), 0, 50),
  // org-a v2: one point: 0 km, still a vehicle of p1.
  at('org-a', 'v2', t('10:03:00'), 10, 10),
  // org-a v3: two points at one time, ordered by lat (0° then 2°), then 2° again: 2 D. In file order it would be 4 D.
  at('org-a', 'v3', t('10:04:00'), 2, 0),
  at('org-a', 'v3', t('10:04:00'), 0, 0),
  'not json at all',
].join('\n');
const SECOND = [
  // org-b v1 (the same id as org-a's): 5° → 7° → 7°: 2 D in org-b's p1; org-a v1's 10:06 point is not its.
  at('org-b', 'v1', t('10:06:00'), 0, 5),
  at('org-b', 'v1', t('10:07:00'), 0, 7),
  at('org-b', 'v1', t('10:08:00'), 0, 7),
  // org-b v2: at the very start and the very finish (both count), then a millisecond after: 3 D.
  at('org-b', 'v2', t('10:05:00'), 0, 10),
  at('org-b', 'v2', t('10:20:00'), 0, 13),
  at('org-b', 'v2', t('10:20:00', '001'), 0, 20),
  // org-a v3 again, inside org-b's p1 only: not org-b's vehicle; inside org-a's p1, the same place: + 0.
  at('org-a', 'v3', t('10:05:00'), 2, 0),
  // A deregister without a location.
  JSON.stringify({ event: 'deregister', on: 'vehicle', at: t('10:30:00'), data: { id: 'v1' }, organization_id: 'org-b' }),
].join('\n');

const EXPECTED = [
  { organization_id: 'org-a', period_id: 'p1', vehicles: 3, total_km: 4 * D, avg_km: (4 * D) / 3 },
  { organization_id: 'org-b', period_id: 'p1', vehicles: 2, total_km: 5 * D, avg_km: 2.5 * D },
];

function expectAnswer(actual: readonly { organization_id: string; period_id: string; vehicles: number; avg_km: number; total_km: number }[]): void {
  expect(actual.map((r) => [r.organization_id, r.period_id, r.vehicles])).toEqual(EXPECTED.map((r) => [r.organization_id, r.period_id, r.vehicles]));
  actual.forEach((row, i) => {
    expect(row.total_km).toBeCloseTo(EXPECTED[i]?.total_km ?? NaN, 9);
    expect(row.avg_km).toBeCloseTo(EXPECTED[i]?.avg_km ?? NaN, 9);
  });
}

describe('the independent BI answer', () => {
  it('on a hand-written two-organization feed: org-a p1 3 vehicles 4 D km, org-b p1 2 vehicles 5 D km', () => {
    expectAnswer(independentAnswer([{ key: '2019-06-01-10-0-0-events.json', text: FIRST }, { key: '2019-06-01-10-0-1-events.json', text: SECOND }]));
  });

  it('breaks a tie of event times by the newest source object, then the last line', () => {
    const same = t('09:59:00');
    const create = period('org-a', 'create', same, 'p9', t('10:00:00'), t('10:10:00'));
    const remove = period('org-a', 'delete', same, 'p9', t('10:00:00'), t('10:10:00'));
    const point = at('org-a', 'v1', t('10:01:00'), 0, 0);
    expect(independentAnswer([{ key: 'a.json', text: `${remove}\n${create}\n${point}` }]).map((r) => r.period_id)).toEqual(['p9']);
    expect(independentAnswer([{ key: 'a.json', text: `${create}\n${remove}\n${point}` }])).toEqual([]);
    expect(independentAnswer([{ key: 'b.json', text: create }, { key: 'a.json', text: `${remove}\n${point}` }]).map((r) => r.period_id)).toEqual(['p9']);
  });

  it('reads the same answer from a folder of objects, gzipped or nested', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '2019-06-01-10-0-0-events.json.gz'), gzipSync(FIRST));
    await writeFile(join(dir, '2019-06-01-10-0-1-events.txt'), `${SECOND}\n`);
    expectAnswer(await independentAnswerFromFolder(dir));
  });

  it('on the real door2door sample (one organization) gives the figures the warehouse gives: op_1 44 vehicles 4.938394 km, op_2 100 9.016878 km', async () => {
    const answer = await independentAnswerFromFolder(SAMPLE);
    expect(answer.map((r) => [r.organization_id, r.period_id, r.vehicles])).toEqual([
      ['org-id', 'op_1', 44],
      ['org-id', 'op_2', 100],
    ]);
    expect(answer[0]?.avg_km).toBeCloseTo(4.938394, 6);
    expect(answer[1]?.avg_km).toBeCloseTo(9.016878, 6);
  });
});
