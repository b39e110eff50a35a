/**
 * Runs held running by the test's own process, written straight into a state database before a
 * server opens it: the server neither takes them over (their owner is alive, their claim long)
 * nor starts them again, so a test decides when each ends (endSeededRuns, while the server runs).
 */
import { thisProcess } from '../../src/orchestration/process-identity.js';
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { LOCAL_RUN_REQUEST } from './run-request.js';
import { hourAfter } from './seeded-runs.js';

const CLAIM_MS = 3_600_000;

/** `count` running runs of consecutive hours from `first`; their ids, oldest hour first. */
export async function seedRunningRuns(stateDir: string, lake: string, count: number, first: string): Promise<string[]> {
  const store = await openSqliteStateStore(stateDir);
  const ids: string[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const { run } = await store.runs.submit({ lake, hour: hourAfter(first, n), trigger: 'backfill', request: { ...LOCAL_RUN_REQUEST, lake: { kind: 'local', root: lake } } });
      if (!(await store.runs.start(thisProcess, { ids: [run.id], claimMs: CLAIM_MS }))) throw new Error(`the seeded run ${run.id} did not start`);
      ids.push(run.id);
    }
  } finally {
    store.close();
  }
  return ids;
}

/** Ends the seeded runs as failed, as their worker would (the state may be open in a server meanwhile). */
export async function endSeededRuns(stateDir: string, ids: readonly string[], error: string): Promise<void> {
  const store = await openSqliteStateStore(stateDir);
  try {
    for (const id of ids) if (!(await store.runs.end(id, thisProcess, { status: 'failed', error }))) throw new Error(`the seeded run ${id} did not end`);
  } finally {
    store.close();
  }
}
