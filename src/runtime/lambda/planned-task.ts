/**
 * A message's task as the run's plan says it: the run's record read from the deployment's lake
 * (the fan-out wrote it, with the plan, before sending any message), the task found in it by id,
 * and the plan's source checked against the deployment's. Nothing is written here, so a message
 * refused is a message that wrote nothing.
 */
import type { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import type { RunRecord } from '../../orchestration/run-store.js';
import { partitionKeyOfRun } from '../../pipeline/lake-layout.js';
import type { RunManifest, Task } from '../../pipeline/run-manifest.js';
import { formatLocation } from '../../storage/location.js';
import { isDeploymentStore, type Deployment } from './deployment.js';
import type { TaskMessage } from './task-message.js';

/** A cloud run as its record tells it, with its plan. */
export interface CloudRun {
  readonly run: RunRecord;
  readonly manifest: RunManifest;
}

export interface PlannedTask extends CloudRun {
  readonly task: Task;
}

/** The planned task a message names; throws one sentence (naming the run or task) when there is none or it reads elsewhere. */
export async function plannedTask(runs: LakeRunStore, deployment: Deployment, message: TaskMessage): Promise<PlannedTask> {
  const { runId, taskId } = message;
  const hour = partitionKeyOfRun(runId);
  const run = await runs.get(runId);
  const manifest = run && (await runs.manifest(runId));
  if (!run || !manifest) throw new Error(`run ${runId} has no record in the lake ${runs.location} (was its hour fanned out?); nothing was written`);
  if (run.id !== runId || manifest.runId !== runId || run.hour !== hour) {
    throw new Error(`the record of run ${runId} in the lake ${runs.location} names another run or hour; nothing was written`);
  }
  if (!isDeploymentStore(manifest.source, deployment.source)) {
    throw new Error(
      `run ${runId}'s plan reads the source ${formatLocation(manifest.source)}, not this deployment's ${formatLocation(deployment.source)}; nothing was written`,
    );
  }
  const task = manifest.tasks.find((t) => t.id === taskId);
  if (!task) {
    const ids = manifest.tasks.map((t) => t.id);
    const range = ids.length === 0 ? 'none' : ids.length === 1 ? ids[0] : `${ids[0]} to ${ids.at(-1)}`;
    throw new Error(`task ${taskId} is not in run ${runId}'s plan (its tasks: ${range}); nothing was written`);
  }
  // A folder's keys are paths under it: one that climbs out (`../`) or starts at the root reads elsewhere.
  const escaping = manifest.source.kind === 'local' ? task.objects.find((o) => o.key.startsWith('/') || o.key.split(/[\\/]/).includes('..')) : undefined;
  if (escaping) throw new Error(`task ${taskId} of run ${runId} names the object ${JSON.stringify(escaping.key)}, outside the source folder; nothing was written`);
  return { run, manifest, task };
}
