/**
 * A box that scrolls a wide or long table: focusable (tabindex 0) and named, so keyboard users can
 * scroll it with the arrow keys and screen readers say what it holds (axe: scrollable-region-focusable).
 */
import type { ComponentChildren } from 'preact';

export function ScrollBox({ label, tall, short, children }: { label: string; tall?: boolean; short?: boolean; children: ComponentChildren }) {
  const size = tall ? ' tall' : short ? ' short' : '';
  return (
    <div class={`table-scroll${size}`} tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
