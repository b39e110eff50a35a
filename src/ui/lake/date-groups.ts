/** An entity's partitions by date (newest first), with each date's totals: the Lake page pages through dates. */
import type { PartitionView } from '../../app/api-views.js';

export interface DateGroup {
  readonly date: string;
  readonly partitions: readonly PartitionView[];
  readonly files: number;
  readonly bytes: number;
  /** Rows of the partitions whose rows are known. */
  readonly rows: number;
  readonly uncounted: number;
  readonly warned: number;
}

export function dateGroups(partitions: readonly PartitionView[]): DateGroup[] {
  const byDate = new Map<string, PartitionView[]>();
  for (const p of partitions) byDate.set(p.date, [...(byDate.get(p.date) ?? []), p]);
  return [...byDate]
    .sort(([a], [b]) => b.localeCompare(a))
    .map(([date, list]) => ({
      date,
      partitions: list,
      files: list.reduce((n, p) => n + p.files, 0),
      bytes: list.reduce((n, p) => n + p.bytes, 0),
      rows: list.reduce((n, p) => n + (p.rows ?? 0), 0),
      uncounted: list.filter((p) => p.rows === null).length,
      warned: list.filter((p) => p.warning).length,
    }));
}
