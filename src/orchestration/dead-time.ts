/**
 * The time a run lay failed before its dead letters were replayed: not the run's work, so it is
 * left out of how long the run took (the engine's stored summary, the API's answers).
 */
import type { RecordedEvent } from './event-log.js';
import type { DeadLetter } from './work-queue.js';

/** Seconds from each replayed letter's run failure (or the letter's death) to its replay. */
export function deadSeconds(letters: readonly DeadLetter[], events: readonly RecordedEvent[]): number {
  let dead = 0;
  for (const letter of letters) {
    const replayed = Date.parse(letter.replayedAt ?? letter.deadAt);
    const failures = events.filter((e) => e.kind === 'failure' && Date.parse(e.at) <= replayed).map((e) => Date.parse(e.at));
    const since = Math.max(Date.parse(letter.deadAt), ...failures);
    if (since < replayed) dead += (replayed - since) / 1000;
  }
  return dead;
}
