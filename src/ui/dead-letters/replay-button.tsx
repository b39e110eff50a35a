/** Replay a dead letter: POST /api/dlq/:id/replay (body {}); the server answers the letter and its run (202). */
import { useState } from 'preact/hooks';
import type { ReplayAnswer } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { StatusBadge } from '../components/status-badge.js';
import { runHref } from '../routing/hash-route.js';

export function ReplayButton({ id, testid, onReplayed }: { id: number; testid: string; onReplayed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ReplayAnswer>();
  const [error, setError] = useState<string>();
  const replay = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await postJson<ReplayAnswer>(`/api/dlq/${id}/replay`, {}));
      onReplayed();
    } catch (err) {
      setError(asFailure(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="replay">
      <button type="button" class="primary" disabled={busy || answer !== undefined} onClick={replay} data-testid={testid}>
        {busy ? 'Replaying…' : 'Replay'}
      </button>
      {answer && (
        <span class="note-inline" role="status" aria-live="polite" data-testid={`${testid}-result`}>
          replaying in <a href={runHref(answer.run.id)}>run {answer.run.id}</a> <StatusBadge status={answer.run.status} />
        </span>
      )}
      {error && (
        <span class="inline-error" role="alert" data-testid={`${testid}-error`}>
          {error}
        </span>
      )}
    </span>
  );
}
