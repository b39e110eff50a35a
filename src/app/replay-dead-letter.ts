/**
 * `eventlake dlq replay <id>`: the dead message gets a fresh set of attempts and its failed run
 * goes back to the queue; a running scheduler takes it from there, otherwise this process
 * works on the run until it ends (published only if every task now succeeds).
 *
 * A run whose hour a newer run has published since is not replayed: its plan is older than what
 * the lake holds (a late file the newer run read, say), so publishing it would roll the hour
 * back. The replay is refused with the newer run's name rather than re-planned: a replay runs the
 * failed work again as it was, and the newer run already holds the hour as its sources were;
 * `eventlake run --hour H` reads them again when that is what is wanted.
 */
import { UserError } from '../errors/user-error.js';
import type { DeadLetter } from '../orchestration/work-queue.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { Orchestrator } from './orchestrator.js';
import { newerSuccess } from './superseding-run.js';

export interface ReplayResult {
  readonly deadLetter: DeadLetter;
  readonly handedToScheduler: boolean;
  readonly run: RunRecord;
}

/** The replay would publish an older plan of the hour over a newer run's publish. */
export class ReplaySupersededError extends UserError {
  override readonly name = 'ReplaySupersededError';

  constructor(
    readonly deadLetterId: number,
    readonly run: RunRecord,
    readonly newer: RunRecord,
  ) {
    super(
      `dead letter ${deadLetterId} was not replayed: its run ${run.id} is older than run ${newer.id}, which published hour ${run.hour} since${newer.finishedAt ? ` (at ${newer.finishedAt})` : ''}, and replaying it would put the older data back; eventlake run --hour ${run.hour} reads the hour's sources again if they changed`,
    );
  }
}

export async function replayDeadLetter(orchestrator: Orchestrator, id: number, options: { wait: boolean }): Promise<ReplayResult> {
  const { queue, runs } = orchestrator.state;
  const letter = await queue.deadLetter(id);
  if (!letter) throw new UserError(`no dead letter ${id} (eventlake dlq list shows them)`);
  if (letter.replayedAt) throw new UserError(`dead letter ${id} was already replayed at ${letter.replayedAt}`);
  const failed = await runs.get(letter.runId);
  const newer = failed ? await newerSuccess(runs, failed) : undefined;
  if (failed && newer) throw new ReplaySupersededError(id, failed, newer);
  // The run first: if its hour has another run in progress, nothing changes.
  await runs.reopen(letter.runId);
  const deadLetter = await queue.replay(id);
  if (!options.wait || (await orchestrator.schedulerRunning())) {
    return { deadLetter, handedToScheduler: true, run: (await runs.get(letter.runId)) as RunRecord };
  }
  const [run] = await orchestrator.workOn([letter.runId], { retryRuns: false });
  return { deadLetter, handedToScheduler: false, run: run as RunRecord };
}
