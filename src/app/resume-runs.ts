/**
 * `eventlake resume`: the runs of this state no live process is working on (their process
 * died, or they were queued by a command that stopped), finished in this process, and the
 * callbacks a dead process still owed, delivered.
 */
import { ownerAlive } from '../orchestration/process-identity.js';
import type { EngineObserver } from '../orchestration/run-engine.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { Orchestrator } from './orchestrator.js';

export async function orphanedRuns(orchestrator: Orchestrator): Promise<RunRecord[]> {
  const { runs } = orchestrator.state;
  const open = [...(await runs.list({ status: 'running' })), ...(await runs.list({ status: 'queued' }))];
  return open.filter((r) => r.owner === undefined || !ownerAlive(r.owner)).reverse();
}

export async function resumeRuns(orchestrator: Orchestrator, options: { maxRunning?: number; observer?: EngineObserver } = {}): Promise<RunRecord[]> {
  orchestrator.owesDeliveries();
  const orphans = await orphanedRuns(orchestrator);
  if (orphans.length === 0) return [];
  return orchestrator.workOn(
    orphans.map((r) => r.id),
    { retryRuns: false, ...(options.maxRunning === undefined ? {} : { maxRunning: options.maxRunning }), ...(options.observer ? { observer: options.observer } : {}) },
  );
}
