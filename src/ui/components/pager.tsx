/**
 * Which items of how many a paged list shows ("Runs 201–364 of 364"), with the previous (newer)
 * and next (older) pages: the runs table's and the dead-letter page's lists page alike.
 */
import { formatCount } from '../format/figures.js';

export interface PagerProps {
  /** What the list holds, capitalised: `Runs`, `Dead letters`. */
  readonly noun: string;
  readonly offset: number;
  readonly shown: number;
  readonly total: number;
  readonly pageSize: number;
  readonly onOffset: (offset: number) => void;
  /** Test ids: `<testid>-pager`, `<testid>-count`, `<testid>-page-previous`, `<testid>-page-next`. */
  readonly testid: string;
}

export function Pager({ noun, offset, shown, total, pageSize, onOffset, testid }: PagerProps) {
  const range = shown === 0 ? `none of ${formatCount(total)}` : `${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
  return (
    <nav class="row pager" aria-label={`Pages of ${noun.toLowerCase()}`} data-testid={`${testid}-pager`}>
      <span data-testid={`${testid}-count`} aria-live="polite">
        {noun} {range}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))} data-testid={`${testid}-page-previous`}>
        Newer
      </button>
      <button type="button" disabled={offset + pageSize >= total} onClick={() => onOffset(offset + pageSize)} data-testid={`${testid}-page-next`}>
        Older
      </button>
    </nav>
  );
}
