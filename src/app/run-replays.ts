/**
 * What the replays of a run's dead letters change in how the run reads: a line in its log for
 * each replay, attempts numbered on across the replay (the queue starts a replayed message's
 * count again at 1), and the time the run lay failed before a replay left out of how long it took.
 */
import { deadSeconds } from '../orchestration/dead-time.js';
import type { EventLog, RecordedEvent } from '../orchestration/event-log.js';
import type { Attempt, DeadLetter, WorkQueue } from '../orchestration/work-queue.js';
import type { LogLine, RunView } from './api-views.js';

/** The run's dead letters that were replayed, oldest replay first. */
export async function replayedLetters(queue: WorkQueue, runId: string): Promise<DeadLetter[]> {
  const letters = await queue.deadLetters({ includeReplayed: true });
  return letters.filter((l) => l.runId === runId && l.replayedAt !== undefined).sort((a, b) => (a.replayedAt ?? '').localeCompare(b.replayedAt ?? ''));
}

export function replayLines(letters: readonly DeadLetter[]): LogLine[] {
  return letters.map((l) => ({
    at: l.replayedAt ?? l.deadAt,
    level: 'info',
    message: `dead letter ${l.id} replayed: ${l.kind === 'task' ? `task ${l.taskId ?? '?'}` : 'finish'} queued again with a fresh set of attempts (it had failed ${l.attempts} time(s): ${l.error})`,
  }));
}

/** Each attempt numbered across the work's whole history, replays included (1, 2, 3, … rather than 1, 2, 1). */
export function numberedAcrossReplays(attempts: readonly Attempt[]): Attempt[] {
  const counts = new Map<string, number>();
  const ordered = [...attempts].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const numbers = new Map<Attempt, number>();
  for (const a of ordered) {
    const work = a.kind === 'task' ? `task:${a.taskId ?? ''}` : a.kind;
    const n = (counts.get(work) ?? 0) + 1;
    counts.set(work, n);
    numbers.set(a, n);
  }
  return attempts.map((a) => ({ ...a, attempt: numbers.get(a) ?? a.attempt }));
}

/** How long a run took, the time it lay failed before its replays left out (undefined: it has not ended). */
export function secondsTaken(view: RunView, letters: readonly DeadLetter[], events: readonly RecordedEvent[]): number | undefined {
  const took = view.seconds ?? (view.startedAt && view.finishedAt ? (Date.parse(view.finishedAt) - Date.parse(view.startedAt)) / 1000 : undefined);
  // A run the engine finished after its replay stored its seconds without the dead time already.
  if (took === undefined || letters.length === 0 || view.deadSeconds !== undefined) return took;
  return Number(Math.max(0, took - deadSeconds(letters, events)).toFixed(3));
}

/** Runs as listed, each replayed one's `seconds` without its dead time (one look at the dead letters for the lot). */
export async function listedWithoutDeadTime(queue: WorkQueue, events: EventLog, views: readonly RunView[]): Promise<RunView[]> {
  const replayed = (await queue.deadLetters({ includeReplayed: true })).filter((l) => l.replayedAt !== undefined);
  if (replayed.length === 0) return [...views];
  return Promise.all(
    views.map(async (view) => {
      const letters = replayed.filter((l) => l.runId === view.id).sort((a, b) => (a.replayedAt ?? '').localeCompare(b.replayedAt ?? ''));
      if (letters.length === 0) return view;
      const seconds = secondsTaken(view, letters, await events.events({ runId: view.id }));
      return seconds === undefined ? view : { ...view, seconds };
    }),
  );
}
