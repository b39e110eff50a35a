/**
 * Panels a link opens (a run from the runs page or a dead letter's row, a dead letter from its
 * list) close on Escape to where they were opened from, and give focus back to the link that
 * opened them. That link is noted as the hash changes: it still has the focus then.
 */
import { parseRoute } from './hash-route.js';

export interface Opener {
  /** The hash the panel was opened from. */
  readonly hash: string;
  /** How to find the element that opened it (it had the focus), if it can be found again. */
  readonly selector?: string;
}

let last: Opener | undefined;
/** What gets the focus once the hash a panel's close asked for is in. */
let due: string | undefined;
let watching: MutationObserver | undefined;

const byTestid = (element: Element): string => `[data-testid="${CSS.escape(element.getAttribute('data-testid') ?? '')}"]`;

/** The element's test id, or a link's address within the nearest element that has one (a run's link in its row, not its grid cell). */
function selectorOf(element: Element | null): string | undefined {
  if (!(element instanceof HTMLElement) || element === document.body) return undefined;
  if (element.hasAttribute('data-testid')) return byTestid(element);
  const href = element.getAttribute('href');
  if (element.tagName !== 'A' || !href) return undefined;
  const within = element.parentElement?.closest('[data-testid]');
  return `${within ? `${byTestid(within)} ` : ''}a[href="${CSS.escape(href)}"]`;
}

/** Notes where the user was and what had the focus, as the hash changes (before the new page renders). */
export function noteHashChange(oldUrl: string): void {
  watching?.disconnect();
  watching = undefined;
  last = { hash: new URL(oldUrl).hash, selector: selectorOf(document.activeElement) };
  if (due !== undefined) focusWhenThere(due);
  due = undefined;
}

/** What opened the page now shown: read once, as the panel opens. */
export function currentOpener(): Opener | undefined {
  return last;
}

/** Focuses the first element `selector` finds, now or as soon as it is rendered (the page may still be loading it). */
function focusWhenThere(selector: string): void {
  const focus = (): boolean => {
    const element = document.querySelector<HTMLElement>(selector);
    element?.focus();
    return element !== null;
  };
  if (focus()) return;
  const observer = new MutationObserver(() => {
    if (focus()) observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true });
  watching = observer;
}

/**
 * Closes a panel: back to the page it was opened from (unless that was another panel: then to
 * `fallback`), and the focus back to what opened it, or to `fallbackFocus` there.
 */
export function closePanel(opener: Opener | undefined, fallback: string, fallbackFocus: string): void {
  const from = opener && !isPanel(opener.hash) ? opener : undefined;
  due = from?.selector ?? fallbackFocus;
  location.hash = from?.hash || fallback;
}

function isPanel(hash: string): boolean {
  const route = parseRoute(hash);
  return route.page === 'run' || route.page === 'unknown' || (route.page === 'dlq' && route.id !== undefined);
}
