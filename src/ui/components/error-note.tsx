/** A failure in one sentence, as the server gave it. */
import type { ApiFailure } from '../api/api-failure.js';

export function ErrorNote({ error, testid }: { error: ApiFailure | string | undefined; testid?: string }) {
  if (error === undefined) return null;
  const message = typeof error === 'string' ? error : error.message;
  return (
    <p class="note note-error" role="alert" data-testid={testid}>
      {message}
    </p>
  );
}
