/**
 * Text that came from data (a quarantined line, a reason, a SQL value) isolated from what is around
 * it: a U+202E (right-to-left override) or any other direction mark inside it changes only its own
 * run of text, never the words after it in the same cell or line. Every td and th isolates too
 * (app.css); this is for data printed beside other text.
 */
export function Text({ value, class: className, testid }: { value: string; class?: string; testid?: string }) {
  return (
    <bdi class={className} data-testid={testid}>
      {value}
    </bdi>
  );
}
