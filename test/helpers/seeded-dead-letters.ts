/**
 * Dead letters, deadline misses and callback deliveries written straight into a state database
 * before a server opens it, so a test can page through hundreds of them without failing real
 * runs: real rows of the real SQLite state store, made as a worker and the deadline watch make them.
 */
import { openSqliteStateStore } from '../../src/orchestration/sqlite/sqlite-state-store.js';
import type { Task } from '../../src/pipeline/run-manifest.js';
import { LOCAL_RUN_REQUEST } from './run-request.js';

/** A callback no server's config names: its deliveries stay pending, listed as they are. */
export const SEEDED_CALLBACK = 'seeded-hook';

const task = (n: number): Task => ({ id: `t${String(n).padStart(5, '0')}`, objects: [{ index: n, key: `seeded/object-${n}.json`, size: 100 + n }], bytes: 100 + n });

/** A failed run of `hour` whose `count` tasks each died on their one attempt: `count` dead letters, oldest task first. */
export async function seedDeadLetters(stateDir: string, lake: string, count: number, hour = '2018-01-01T00'): Promise<string> {
  const store = await openSqliteStateStore(stateDir);
  const owner = 'seed:1:1';
  try {
    const { run } = await store.runs.submit({ lake, hour, trigger: 'backfill', request: { ...LOCAL_RUN_REQUEST, lake: { kind: 'local', root: lake } } });
    if (!(await store.runs.start(owner, { ids: [run.id], claimMs: 60_000 }))) throw new Error(`the seeded run ${run.id} did not start`);
    await store.queue.enqueue(
      run.id,
      Array.from({ length: count }, (_, n) => ({ kind: 'task' as const, task: task(n) })),
    );
    for (let n = 0; n < count; n++) {
      const claimed = await store.queue.claim(owner, [run.id], 60_000);
      if (!claimed) throw new Error(`the seeded task ${n} was not claimed`);
      const outcome = await store.queue.fail({ messageId: claimed.id, claimToken: claimed.claimToken }, `seeded: task ${claimed.task?.id ?? '?'} failed`, { retries: 0, delayMs: 0, maxDelayMs: 0 });
      if (outcome.outcome !== 'dead') throw new Error(`the seeded task ${n} did not die`);
    }
    if (!(await store.runs.end(run.id, owner, { status: 'failed', error: 'seeded: its tasks died' }))) throw new Error(`the seeded run ${run.id} did not end`);
    return run.id;
  } finally {
    store.close();
  }
}

/** `count` deadline misses of consecutive hours from `first`, each owing one delivery to SEEDED_CALLBACK. */
export async function seedDeadlineMisses(stateDir: string, lake: string, count: number, first = '2018-02-01T00'): Promise<void> {
  const store = await openSqliteStateStore(stateDir);
  try {
    for (let n = 0; n < count; n++) {
      const hour = new Date(Date.parse(`${first}:00:00Z`) + n * 3_600_000).toISOString().slice(0, 13);
      const at = new Date(Date.parse(`${hour}:00:00Z`) + 7_200_000).toISOString();
      const payload = { event: 'deadline_miss' as const, run: { id: `seeded-${n}`, hour, status: 'queued' as const, attempt: 0, error: null }, at, deadline: 'landing' };
      if (!(await store.events.record({ kind: 'deadline_miss', key: `deadline_miss:${lake}:${hour}:landing`, lake, hour, payload, callbacks: [SEEDED_CALLBACK] }))) {
        throw new Error(`the seeded deadline miss of ${hour} was recorded before`);
      }
    }
  } finally {
    store.close();
  }
}
