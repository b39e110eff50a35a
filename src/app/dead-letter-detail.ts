/** One dead letter inspected: the letter, its run, and the source objects its task was to read. */
import type { DeadLetterDetail } from './api-views.js';
import { deadLetterView } from './dead-letter-view.js';
import type { Orchestrator } from './orchestrator.js';
import { runView } from './run-view.js';

export async function deadLetterDetail(orchestrator: Orchestrator, id: number): Promise<DeadLetterDetail | undefined> {
  const { queue, runs } = orchestrator.state;
  const letter = await queue.deadLetter(id);
  if (!letter) return undefined;
  const run = await runs.get(letter.runId);
  if (!run) return undefined;
  const manifest = await runs.manifest(letter.runId);
  // A finish message reads the whole hour; a task, its own objects.
  const tasks = (manifest?.tasks ?? []).filter((t) => letter.kind === 'finish' || t.id === letter.taskId);
  return {
    deadLetter: deadLetterView(letter),
    run: runView(run),
    objects: tasks.flatMap((t) => t.objects.map((o) => ({ key: o.key, size: o.size }))),
  };
}
