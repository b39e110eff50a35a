/** Which runs of how many the table shows ("201–364 of 364"), with the previous and next pages. */
import { formatCount } from '../format/figures.js';

export const PAGE_SIZE = 200;

export function RunPager({ offset, shown, total, onOffset }: { offset: number; shown: number; total: number; onOffset: (offset: number) => void }) {
  const range = shown === 0 ? `none of ${formatCount(total)}` : `${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
  return (
    <nav class="row pager" aria-label="Pages of runs" data-testid="run-pager">
      <span data-testid="run-count" aria-live="polite">
        Runs {range}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - PAGE_SIZE))} data-testid="run-page-previous">
        Newer
      </button>
      <button type="button" disabled={offset + PAGE_SIZE >= total} onClick={() => onOffset(offset + PAGE_SIZE)} data-testid="run-page-next">
        Older
      </button>
    </nav>
  );
}
