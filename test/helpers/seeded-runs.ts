/**
 * Ended runs written straight into a state database before a server opens it: `count` failed runs
 * of consecutive hours (newest last), so a test can page through hundreds of runs without running
 * them. The runs are real rows of the real SQLite state store, claimed and ended as a worker would.
 */
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import { LOCAL_RUN_REQUEST } from './run-request.js';

export const SEEDED_ERROR = 'seeded: no source objects for this hour';

/** The hour label `n` hours after `first` (a UTC label like 2019-01-01T00). */
export function hourAfter(first: string, n: number): string {
  return new Date(Date.parse(`${first}:00:00Z`) + n * 3_600_000).toISOString().slice(0, 13);
}

export async function seedFailedRuns(stateDir: string, lake: string, count: number, first = '2018-01-01T00'): Promise<string[]> {
  const store = await openSqliteStateStore(stateDir);
  const owner = 'seed:1:1';
  const ids: string[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const { run } = await store.runs.submit({ lake, hour: hourAfter(first, n), trigger: 'backfill', request: { ...LOCAL_RUN_REQUEST, lake: { kind: 'local', root: lake } } });
      const started = await store.runs.start(owner, { ids: [run.id], claimMs: 60_000 });
      if (!started) throw new Error(`the seeded run ${run.id} did not start`);
      if (!(await store.runs.end(run.id, owner, { status: 'failed', error: SEEDED_ERROR }))) throw new Error(`the seeded run ${run.id} did not end`);
      ids.push(run.id);
    }
  } finally {
    store.close();
  }
  return ids;
}

/** One ended run of `hour` that succeeded, `poorQuality` as the quality check would mark it. */
export async function seedSucceededRun(stateDir: string, lake: string, hour: string, poorQuality: boolean): Promise<string> {
  const store = await openSqliteStateStore(stateDir);
  const owner = 'seed:1:1';
  try {
    const { run } = await store.runs.submit({ lake, hour, trigger: 'backfill', request: { ...LOCAL_RUN_REQUEST, lake: { kind: 'local', root: lake } } });
    if (!(await store.runs.start(owner, { ids: [run.id], claimMs: 60_000 }))) throw new Error(`the seeded run ${run.id} did not start`);
    const quarantined = poorQuality ? 50 : 0;
    const summary = { objects: 1, bytes: 100, skipped: 0, events: { vehicle: 50 }, quarantined, outputs: [], seconds: 1, quarantinedShare: quarantined / (50 + quarantined) };
    if (!(await store.runs.end(run.id, owner, { status: 'success', summary, poorQuality }))) throw new Error(`the seeded run ${run.id} did not end`);
    return run.id;
  } finally {
    store.close();
  }
}
