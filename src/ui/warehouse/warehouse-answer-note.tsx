/**
 * Why a warehouse answer is not shown: before the first build the server answers 409 ("no
 * warehouse … yet"), which is no failure but the page's starting state, so it reads as a plain
 * note pointing at the Build button; anything else is an error.
 */
import type { ApiFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';

export function WarehouseAnswerNote({ error, testid }: { error: ApiFailure | undefined; testid: string }) {
  if (error === undefined) return null;
  if (error.status === 409) {
    return (
      <p class="note note-info" data-testid={`${testid}-not-built`}>
        Shown once the warehouse is built: use Build warehouse above.
      </p>
    );
  }
  return <ErrorNote error={error} testid={testid} />;
}
