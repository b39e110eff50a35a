/** The one run summary every runtime writes: counts, outputs (the quarantine's included) and the quarantined share. */
import { describe, expect, it } from 'vitest';
import { emptySummary, publishedCounts, publishedOutputs, summarizeRun } from '../../src/orchestration/run-summary.js';

const published = [
  { partition: 'vehicle/date=2019-06-01/hour=15', files: [{ key: 'vehicle/date=2019-06-01/hour=15/part-00000.parquet', rows: 60, bytes: 900 }] },
  { partition: 'operating_period/date=2019-06-01/hour=15', files: [] },
  { partition: '_quarantine/date=2019-06-01/hour=15', files: [{ key: '_quarantine/date=2019-06-01/hour=15/part-00000.parquet', rows: 2, bytes: 300 }] },
];

describe('the run summary', () => {
  it('counts rows per entity and the quarantined lines from a publish (what a close that died after publishing is recorded from)', () => {
    expect(publishedCounts(published)).toEqual({ events: { vehicle: 60 }, quarantined: 2 });
  });

  it('lists every published file as an output, the quarantine\'s under its own name', () => {
    expect(publishedOutputs(published).map((o) => [o.entity, o.rows])).toEqual([['vehicle', 60], ['_quarantine', 2]]);
  });

  it('says the quarantined share over every line read, and the dead time only when there was some', () => {
    const summary = summarizeRun({ objects: 3, bytes: 1200, skipped: [] }, publishedCounts(published), publishedOutputs(published), 4.5);
    expect(summary).toMatchObject({ objects: 3, bytes: 1200, skipped: 0, quarantined: 2, seconds: 4.5, quarantinedShare: 2 / 62 });
    expect(summary).not.toHaveProperty('deadSeconds');
    expect(summarizeRun({ objects: 3, bytes: 1200, skipped: [] }, publishedCounts(published), [], 4.5, 3600).deadSeconds).toBe(3600);
  });

  it('an empty hour: nothing read, a share of 0 (not NaN), its skipped names counted', () => {
    expect(emptySummary({ skipped: [{ key: 'x.txt', reason: 'not an event object' }] })).toEqual({
      objects: 0, bytes: 0, skipped: 1, events: {}, quarantined: 0, outputs: [], seconds: 0, quarantinedShare: 0,
    });
  });
});
