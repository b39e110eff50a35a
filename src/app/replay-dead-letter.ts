/**
 * `eventlake dlq replay <id>`: the dead message gets a fresh set of attempts and its failed run
 * goes back to the queue; a running scheduler takes it from there, otherwise this process
 * works on the run until it ends (published only if every task now succeeds).
 */
import { UserError } from '../errors/user-error.js';
import type { DeadLetter } from '../orchestration/work-queue.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { Orchestrator } from './orchestrator.js';

export interface ReplayResult {
  readonly deadLetter: DeadLetter;
  readonly handedToScheduler: boolean;
  readonly run: RunRecord;
}

export async function replayDeadLetter(orchestrator: Orchestrator, id: number, options: { wait: boolean }): Promise<ReplayResult> {
  const { queue, runs } = orchestrator.state;
  const letter = await queue.deadLetter(id);
  if (!letter) throw new UserError(`no dead letter ${id} (eventlake dlq list shows them)`);
  if (letter.replayedAt) throw new UserError(`dead letter ${id} was already replayed at ${letter.replayedAt}`);
  // The run first: if its hour has another run in progress, nothing changes.
  await runs.reopen(letter.runId);
  const deadLetter = await queue.replay(id);
  if (!options.wait || (await orchestrator.schedulerRunning())) {
    return { deadLetter, handedToScheduler: true, run: (await runs.get(letter.runId)) as RunRecord };
  }
  const [run] = await orchestrator.workOn([letter.runId], { retryRuns: false });
  return { deadLetter, handedToScheduler: false, run: run as RunRecord };
}
