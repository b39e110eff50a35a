/** A run's (or task's) status as a colored pill: queued grey, running blue, success green, failed red. */
export function StatusBadge({ status, testid }: { status: string; testid?: string }) {
  return (
    <span class={`status status-${status}`} data-status={status} data-testid={testid}>
      {status}
    </span>
  );
}
