/** Run one chosen hour now: POST /api/runs {hour}; the server answers the run (the one already queued or running, if any). */
import { useState } from 'preact/hooks';
import type { RunRequestBody, TriggerAnswer } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';
import { choiceLabel, HourPicker, type HourChoice } from '../components/hour-picker.js';
import { StatusBadge } from '../components/status-badge.js';
import { displayHour } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';
import { useRunStatus } from './use-run-status.js';

/** The run asked for, its status following the run's. */
function TriggerResult({ run }: { run: TriggerAnswer }) {
  const shown = useRunStatus(run) ?? run;
  return (
    <p class="note" role="status" aria-live="polite" data-testid="trigger-result">
      <a href={runHref(shown.id)}>Run {shown.id}</a> for {displayHour(shown.hour)}: <StatusBadge status={shown.status} />
    </p>
  );
}

export function TriggerForm({ initial, onTriggered }: { initial: HourChoice; onTriggered: () => void }) {
  const [choice, setChoice] = useState<HourChoice>(initial);
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<TriggerAnswer>();
  const [error, setError] = useState<string>();

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
      {run && <TriggerResult key={run.id} run={run} />}
      <ErrorNote error={error} testid="trigger-error" />
    </form>
  );
}
