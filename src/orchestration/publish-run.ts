/**
 * The finish-and-publish stage, the same in both runtimes (the local engine's finish message, the
 * cloud's hour close): the tasks' outputs merged into the hour's final parts, then published in
 * one step while the run still holds its hour's lease.
 */
import type { EntityRegistry } from '../events/entity-registry.js';
import type { LakeFormat } from '../formats/lake-format.js';
import { finishPartitions } from '../pipeline/finish-partitions.js';
import { planOrderOf, type RunManifest, type TaskOutput } from '../pipeline/run-manifest.js';
import type { LakeStorage } from '../storage/lake-storage.js';
import type { Lease } from '../storage/partition-lease.js';
import type { RunOutputRecord } from './run-store.js';
import { publishedOutputs, type FinishCounts } from './run-summary.js';

export interface PublishRunDeps {
  readonly lake: LakeStorage;
  /** The run's lease on its hour: checked just before publishing. */
  readonly lease: Lease;
  readonly registry: EntityRegistry;
  readonly format: LakeFormat;
  /** Where the final parts are written before they are published. */
  readonly scratchDir: string;
  /** Between writing the parts and publishing them (the engine reports its phase, tests pause there). */
  readonly beforePublish?: () => Promise<void>;
}

export interface PublishedRun {
  readonly counts: FinishCounts;
  readonly outputs: RunOutputRecord[];
}

export async function publishRun(manifest: RunManifest, outputs: readonly TaskOutput[], deps: PublishRunDeps): Promise<PublishedRun> {
  const finished = await finishPartitions(manifest, outputs, { registry: deps.registry, format: deps.format, scratchDir: deps.scratchDir });
  await deps.beforePublish?.();
  await deps.lease.assertHeld();
  const published = await deps.lake.publisher.publish(manifest.runId, finished.partitions, planOrderOf(manifest));
  return { counts: { events: finished.events, quarantined: finished.quarantined }, outputs: publishedOutputs(published) };
}
