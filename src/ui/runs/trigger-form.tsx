/** Run one chosen hour now: POST /api/runs {hour}; the server answers the run (the one already queued or running, if any). */
import { useState } from 'preact/hooks';
import type { RunRequestBody, RunView, TriggerAnswer } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';
import { choiceLabel, HourPicker, type HourChoice } from '../components/hour-picker.js';
import { StatusBadge } from '../components/status-badge.js';
import { displayHour } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';

/** `latest` holds the runs as last polled, so the answer's status follows the run. */
export function TriggerForm({ initial, latest, onTriggered }: { initial: HourChoice; latest: readonly RunView[] | undefined; onTriggered: () => void }) {
  const [choice, setChoice] = useState<HourChoice>(initial);
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<TriggerAnswer>();
  const [error, setError] = useState<string>();
  const shown = run && (latest?.find((r) => r.id === run.id) ?? run);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const hour = choiceLabel(choice);
    setRun(undefined);
    setError(undefined);
    if (!hour) {
      setError('Choose a date and an hour first.');
      return;
    }
    setBusy(true);
    try {
      setRun(await postJson<TriggerAnswer>('/api/runs', { hour } satisfies RunRequestBody));
      onTriggered();
    } catch (err) {
      setError(asFailure(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel form" onSubmit={submit} data-testid="trigger-form">
      <h2>Run an hour</h2>
      <div class="row">
        <HourPicker label="Hour to run" value={choice} onChange={setChoice} testid="trigger" />
        <button type="submit" class="primary" disabled={busy} data-testid="trigger-submit">
          {busy ? 'Asking…' : 'Run'}
        </button>
      </div>
      {shown && (
        <p class="note" role="status" aria-live="polite" data-testid="trigger-result">
          <a href={runHref(shown.id)}>Run {shown.id}</a> for {displayHour(shown.hour)}: <StatusBadge status={shown.status} />
        </p>
      )}
      <ErrorNote error={error} testid="trigger-error" />
    </form>
  );
}
