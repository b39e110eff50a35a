/**
 * A <details> that Escape closes while the focus is inside it, giving the focus back to its
 * summary (what opened it). The browser opens and closes it on a click as usual.
 */
import type { ComponentChildren } from 'preact';

function closeOnEscape(event: KeyboardEvent): void {
  const details = event.currentTarget as HTMLDetailsElement;
  if (event.key !== 'Escape' || !details.open) return;
  // Used here: neither an outer <details> nor the page's own Escape acts on it too.
  event.preventDefault();
  event.stopPropagation();
  details.open = false;
  details.querySelector<HTMLElement>(':scope > summary')?.focus();
}

export function Disclosure({ summary, open = false, className, testid, children }: { summary: ComponentChildren; open?: boolean; className?: string; testid?: string; children: ComponentChildren }) {
  return (
    <details class={className} open={open} onKeyDown={closeOnEscape} data-testid={testid}>
      <summary>{summary}</summary>
      {children}
    </details>
  );
}
