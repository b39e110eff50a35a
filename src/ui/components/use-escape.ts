/**
 * Escape closes the panel that calls this, wherever the focus is on the page, unless something
 * inside already used the key (an open <details> closing itself, see disclosure.tsx).
 */
import { useEffect, useRef } from 'preact/hooks';

export function useEscape(close: () => void): void {
  const latest = useRef(close);
  latest.current = close;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && !event.defaultPrevented) latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
