/**
 * Many failed runs of few hours written straight into a state database before a server opens it:
 * the 00:00 hour of `days` consecutive days from `firstDay`, run `times` times each (every run
 * after the first a rerun), so a test can hold more runs than one answer of GET /api/runs (1,000)
 * on a grid of few cells. Real rows of the real SQLite state store, claimed and ended as a worker would.
 */
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { LOCAL_RUN_REQUEST } from './run-request.js';
import { SEEDED_ERROR } from './seeded-runs.js';

export async function seedFailedReruns(stateDir: string, lake: string, days: number, times: number, firstDay: string): Promise<void> {
  const store = await openSqliteStateStore(stateDir);
  const owner = 'seed:1:1';
  try {
    for (let time = 0; time < times; time++) {
      for (let day = 0; day < days; day++) {
        const hour = `${new Date(Date.parse(`${firstDay}T00:00:00Z`) + day * 86_400_000).toISOString().slice(0, 10)}T00`;
        const { run } = await store.runs.submit({ lake, hour, trigger: 'backfill', request: { ...LOCAL_RUN_REQUEST, lake: { kind: 'local', root: lake } } });
        if (!(await store.runs.start(owner, { ids: [run.id], claimMs: 60_000 }))) throw new Error(`the seeded run ${run.id} did not start`);
        if (!(await store.runs.end(run.id, owner, { status: 'failed', error: SEEDED_ERROR }))) throw new Error(`the seeded run ${run.id} did not end`);
      }
    }
  } finally {
    store.close();
  }
}
