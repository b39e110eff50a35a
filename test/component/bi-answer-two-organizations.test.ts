/**
 * The warehouse's BI answer on a generated two-organization feed (two hours; period ids and
 * vehicle ids shared by the organizations, see src/generate/synthetic-feed.ts) equals the
 * independent computation from the JSON lines alone (test/helpers/independent-bi-answer.ts):
 * per (organization, period), the same vehicles, average and total km.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { independentAnswerFromFolder, type IndependentAnswer } from '../helpers/independent-bi-answer.js';

const HOURS = ['2019-06-01T15', '2019-06-01T16'];

describe('the BI answer on a two-organization feed', () => {
  it('equals the independent computation from the source lines, per organization and period', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = `${lake}-state`;
    for (const [i, hour] of HOURS.entries()) {
      // 24 vehicles: 6 of org-id-2, 3 of them with an org-id vehicle's id; 15 minutes an hour, a seed each.
      expect((await runCli(['generate', '--out', source, '--hour', hour, '--vehicles', '24', '--seconds', '900', '--seed', String(4 + i)])).code).toBe(0);
      const run = await runCli(['run', '--source', source, '--lake', lake, '--hour', hour, '--state', state]);
      expect(run.code, run.stderr).toBe(0);
    }
    const build = await runCli(['warehouse', 'build', '--lake', lake, '--state', state]);
    expect(build.code, build.stderr).toBe(0);

    const expected = await independentAnswerFromFolder(source);
    // The feed does what it is for: both organizations have answers, and share period ids.
    expect(new Set(expected.map((r) => r.organization_id))).toEqual(new Set(['org-id', 'org-id-2']));
    expect(expected.filter((r) => r.period_id === 'op_2019060115_1').map((r) => r.organization_id)).toEqual(['org-id', 'org-id-2']);
    expect(new Set(expected.map((r) => r.period_id.slice(0, 13)))).toEqual(new Set(['op_2019060115', 'op_2019060116']));

    const sql = 'SELECT organization_id, period_id, CAST(vehicles AS INTEGER) AS vehicles, CAST(avg_km AS DOUBLE) AS avg_km, CAST(total_km AS DOUBLE) AS total_km FROM bi_avg_distance ORDER BY organization_id, period_id';
    const answered = await runCli(['sql', sql, '--json', '--state', state]);
    expect(answered.stderr).toBe('');
    const actual = JSON.parse(answered.stdout) as IndependentAnswer[];
    expect(actual.map((r) => [r.organization_id, r.period_id, r.vehicles])).toEqual(expected.map((r) => [r.organization_id, r.period_id, r.vehicles]));
    actual.forEach((row, i) => {
      const want = expected[i] as IndependentAnswer;
      // The same distances, summed in another order: equal to 1e-9 of their size.
      expect(Math.abs(row.total_km - want.total_km), `${row.organization_id} ${row.period_id}`).toBeLessThanOrEqual(1e-9 * Math.max(1, want.total_km));
      expect(Math.abs(row.avg_km - want.avg_km), `${row.organization_id} ${row.period_id}`).toBeLessThanOrEqual(1e-9 * Math.max(1, want.avg_km));
    });
  });
});
