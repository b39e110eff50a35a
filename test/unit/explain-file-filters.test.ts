/** The explain report reads DuckDB's printed file filters itself, and never as SQL (issue 20 item 1). */
import { describe, expect, it } from 'vitest';
import { partitionFilter, understoodFilter } from '../../src/warehouse/plan-filters.js';

const partitions = [14, 15, 16].flatMap((hour) => ['2019-06-01', '2019-06-02'].map((date) => ({ date, hour })));
const kept = (text: string): number | undefined => {
  const filter = partitionFilter(text);
  return filter && partitions.filter(filter).length;
};

describe('file filters as DuckDB prints them', () => {
  it('understands date and hour compared with constants, in AND, OR, NOT, IN and BETWEEN', () => {
    expect(kept('(hour = 15)')).toBe(2);
    expect(kept("((hour > 15) OR (date < '2019-06-02'::DATE))")).toBe(4);
    expect(kept('(hour IN (14, 15))')).toBe(4);
    expect(kept('(hour BETWEEN 15 AND 16)')).toBe(4);
    expect(kept("((date = '2019-06-02'::DATE) AND (NOT (hour <> 16)))")).toBe(1);
    expect(kept('(15 <= hour)')).toBe(4);
  });

  it('refuses to guess at anything else, the forged struct key included', () => {
    for (const text of ["(struct_pack(hour) = {'a': 1})) OR true; COPY (SELECT 1) TO '/x'; SELECT (({'b': 23})", '((hour + 1) = 16)', "(date = '2019-06-01')) OR ((1", '(hour = 15) extra', '(lat = 1)']) {
      expect(partitionFilter(text), text).toBeUndefined();
    }
  });

  it('takes filters printed one after another as all holding, and CAST of hour or date (issue 21 item 5)', () => {
    expect(kept("(hour = 15)(date = '2019-06-01'::DATE)")).toBe(1);
    expect(kept('(CAST(hour AS INTEGER) = 15)')).toBe(2);
    expect(kept("(CAST(date AS DATE) >= '2019-06-02'::DATE)")).toBe(3);
    expect(kept("(CAST(hour AS VARCHAR) = '15')")).toBeUndefined();
  });

  it('keeps the filters it understands of several, and says whether it understood them all', () => {
    const some = understoodFilter("(hour = 15)(strftime(date, '%d') = '02')\noptional: date = '2019-06-01'::DATE");
    expect(some?.complete).toBe(false);
    expect(some && partitions.filter(some.filter).length).toBe(1);
    const all = understoodFilter("hour>=15 AND hour<=16\ndate='2019-06-02'::DATE");
    expect(all?.complete).toBe(true);
    expect(all && partitions.filter(all.filter).length).toBe(2);
    expect(understoodFilter("(strftime(date, '%d') = '02')")).toBeUndefined();
  });
});
