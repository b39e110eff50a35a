/**
 * A run the page asked for (a trigger, a rerun) as it is now: polled every 2 s while it is queued
 * or running, from the newest runs of its hour (GET /api/runs?hour=…), so it is found however
 * many other runs the state holds.
 */
import type { RunList, RunStatus, RunView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';

const ACTIVE: ReadonlySet<RunStatus> = new Set(['queued', 'running']);
/** Runs of one hour looked through: a run asked for here is among its hour's newest. */
const OF_THE_HOUR = 20;

export function useRunStatus(run: RunView | undefined): RunView | undefined {
  const path = run ? `/api/runs?${new URLSearchParams({ hour: run.hour, limit: String(OF_THE_HOUR) }).toString()}` : null;
  const latest = useApi<RunList>(path, {
    everyMs: 2000,
    keepPolling: (list) => {
      const found = list.runs.find((r) => r.id === run?.id);
      return found === undefined || ACTIVE.has(found.status);
    },
  });
  return run && (latest.data?.runs.find((r) => r.id === run.id) ?? run);
}
