/** Which runs of how many the table shows ("201–364 of 364"), with the previous and next pages. */
import { Pager } from '../components/pager.js';

export const PAGE_SIZE = 200;

export function RunPager({ offset, shown, total, onOffset }: { offset: number; shown: number; total: number; onOffset: (offset: number) => void }) {
  return <Pager noun="Runs" offset={offset} shown={shown} total={total} pageSize={PAGE_SIZE} onOffset={onOffset} testid="run" />;
}
