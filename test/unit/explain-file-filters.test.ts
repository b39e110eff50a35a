/** The explain report reads DuckDB's printed file filters itself, and never as SQL (issue 20 item 1). */
import { describe, expect, it } from 'vitest';
import { partitionFilter, partitionsRead, type LakePartition } from '../../src/warehouse/explain-report.js';

const partitions: LakePartition[] = [14, 15, 16].flatMap((hour) => ['2019-06-01', '2019-06-02'].map((date) => ({ entity: 'vehicle', date, hour, files: 1 })));
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

  it('counts at most one partition per file read when a filter is not understood', () => {
    expect(partitionsRead({ entity: 'vehicle', filesRead: 2, filesTotal: 6, fileFilters: '(hour = 15)' }, partitions)).toBe(2);
    expect(partitionsRead({ entity: 'vehicle', filesRead: 3, filesTotal: 6, fileFilters: '((hour + 1) = 16)' }, partitions)).toBe(3);
    expect(partitionsRead({ entity: 'vehicle', filesRead: 3, filesTotal: 6, fileFilters: '(hour = 15)\n((hour + 1) = 16)' }, partitions)).toBe(2);
  });
});
