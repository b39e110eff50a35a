/** Run a failed hour again: POST /api/runs {hour}, the same request as a new run of that hour. */
import { useState } from 'preact/hooks';
import type { RunRequestBody, TriggerAnswer } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';

export function RerunButton({ hour, testid, onRerun }: { hour: string; testid: string; onRerun: (run: TriggerAnswer) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const rerun = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      onRerun(await postJson<TriggerAnswer>('/api/runs', { hour } satisfies RunRequestBody));
    } catch (err) {
      setError(asFailure(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="rerun">
      <button type="button" disabled={busy} onClick={rerun} data-testid={testid}>
        {busy ? 'Asking…' : 'Rerun'}
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
