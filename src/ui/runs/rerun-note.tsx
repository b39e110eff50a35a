/**
 * What a Rerun asked for, kept above the table: the new run with its status, and why it is not in
 * the table when the filters or the page leave it out (a rerun is queued, not failed).
 */
import type { RunStatus, TriggerAnswer } from '../../app/api-views.js';
import { StatusBadge } from '../components/status-badge.js';
import { displayHour } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';
import type { RunFilter } from './run-filters.js';
import { useRunStatus } from './use-run-status.js';

function whyHidden(status: RunStatus, filter: RunFilter): string {
  if (filter.status && filter.status !== status) return `: not listed below, whose status filter is ${filter.status}`;
  return ': not on this page of the table';
}

/** The run's status as last polled (the answer's is the moment it was queued). */
export function RerunNote({ run, filter, listed, onClose }: { run: TriggerAnswer; filter: RunFilter; listed: boolean; onClose: () => void }) {
  const status = (useRunStatus(run) ?? run).status;
  return (
    <p class="note" role="status" data-testid="rerun-note">
      Rerun of {displayHour(run.hour)} asked for: <a href={runHref(run.id)}>run {run.id}</a> <StatusBadge status={status} testid="rerun-note-status" />
      {listed ? '' : whyHidden(status, filter)}{' '}
      <button type="button" onClick={onClose} data-testid="rerun-note-close">
        Dismiss
      </button>
    </p>
  );
}
