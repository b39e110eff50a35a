/** A failure in one sentence, as the server gave it (without its hints on the JSON API's syntax). */
import type { ApiFailure } from '../api/api-failure.js';
import { forPeople } from '../format/api-message.js';

export function ErrorNote({ error, testid }: { error: ApiFailure | string | undefined; testid?: string }) {
  if (error === undefined) return null;
  const message = forPeople(typeof error === 'string' ? error : error.message);
  return (
    <p class="note note-error" role="alert" data-testid={testid}>
      {message}
    </p>
  );
}
