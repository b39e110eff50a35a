/**
 * An hour from plan to publish, through the ports only: take the hour's lease, finish any
 * publish of it a crash interrupted, process the tasks (on whatever runner), finish the
 * partitions, publish them. Whatever fails, the lease is given back and the hour's published
 * data is untouched.
 */
import { mkdir } from 'node:fs/promises';
import type { EntityRegistry } from '../events/entity-registry.js';
import type { LakeFormat } from '../formats/lake-format.js';
import type { LakeStorage } from '../storage/lake-storage.js';
import type { LeaseHolder } from '../storage/partition-lease.js';
import type { PublishedPartition } from '../storage/publisher.js';
import { pausePoint } from './fail-points.js';
import { finishPartitions } from './finish-partitions.js';
import type { RunManifest, TaskProgress } from './run-manifest.js';
import type { TaskRunner } from './task-runner.js';

export interface HourRunPorts {
  readonly lake: LakeStorage;
  readonly runner: TaskRunner;
  readonly registry: EntityRegistry;
  readonly format: LakeFormat;
}

export interface HourRunObserver {
  readonly onProgress?: (done: TaskProgress, total: { objects: number; bytes: number }) => void;
  /** Called when the hour's lease was taken over from a run that died holding it. */
  readonly onLeaseTaken?: (from: LeaseHolder) => Promise<void>;
  /** Called when the run moves on to writing the lake files, then to publishing them. */
  readonly onPhase?: (phase: 'writing' | 'publishing') => void;
}

export interface HourResult {
  readonly events: Record<string, number>;
  readonly quarantined: number;
  readonly published: readonly PublishedPartition[];
}

/** mkdir -p that tolerates another run removing an empty parent at the same moment. */
async function makeScratch(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

export async function runPlannedHour(manifest: RunManifest, ports: HourRunPorts, observer: HourRunObserver = {}): Promise<HourResult> {
  const { lake } = ports;
  const lease = await lake.lease.acquire(manifest.partitionKey, manifest.runId);
  try {
    if (lease.tookOverFrom) await observer.onLeaseTaken?.(lease.tookOverFrom);
    await pausePoint('after-lease');
    await lake.publisher.recover(manifest.partitionKey);
    try {
      const scratchDir = lake.scratchDir(manifest.runId);
      await makeScratch(scratchDir);
      const done = { objects: 0, events: 0 };
      const total = { objects: manifest.objects, bytes: manifest.bytes };
      const outputs = await ports.runner.run(manifest, scratchDir, (p) => {
        done.objects += p.objects;
        done.events += p.events;
        observer.onProgress?.(done, total);
      });
      observer.onPhase?.('writing');
      const finished = await finishPartitions(manifest, outputs, { registry: ports.registry, format: ports.format, scratchDir });
      observer.onPhase?.('publishing');
      await lease.assertHeld();
      const published = await lake.publisher.publish(manifest.runId, finished.partitions);
      return { events: finished.events, quarantined: finished.quarantined, published };
    } catch (err) {
      await lake.publisher.abandon(manifest.runId);
      throw err;
    }
  } finally {
    await lease.release();
  }
}
