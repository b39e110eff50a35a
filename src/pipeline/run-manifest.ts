/**
 * What the stages hand each other: plain, serializable data, so a task can cross into a worker
 * thread today and a queue message or a Lambda event later.
 *
 *   plan the hour → RunManifest (tasks) → process each task → TaskOutput
 *     → finish each partition (task outputs in task order) → publish
 */
import type { FormatName, WrittenFile } from '../formats/lake-format.js';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';
import type { SkippedEntry } from '../storage/object-store.js';
import type { Hour } from './hour.js';

export interface SourceObjectRef {
  /** Position in the hour's object list (keys in byte order); rows store it instead of the key. */
  readonly index: number;
  readonly key: string;
  readonly size: number;
  /** What the object was when planned (S3's ETag; size and mtime for a folder): late data is told by it. */
  readonly etag?: string;
}

/** A batch of source objects, the unit of work a runtime schedules, retries and runs twice safely. */
export interface Task {
  /** `t00000`, `t00001`, …: task ids sort in source order. */
  readonly id: string;
  readonly objects: readonly SourceObjectRef[];
  readonly bytes: number;
}

/** How every task of a run writes: the same for each, whoever runs it. */
export interface TaskSettings {
  readonly runId: string;
  readonly source: ObjectStoreConfig;
  readonly format: FormatName;
  readonly codec: string;
  readonly targetFileBytes: number;
  readonly maxLineBytes: number;
}

export interface RunManifest extends TaskSettings {
  readonly hour: Hour;
  /** What one lease covers and one run replaces: the hour's label. */
  readonly partitionKey: string;
  readonly sourceLocation: string;
  readonly objects: number;
  readonly bytes: number;
  /** Listed under the hour's prefix but not read, and why. */
  readonly skipped: readonly SkippedEntry[];
  readonly tasks: readonly Task[];
  /**
   * When the hour's sources were listed (ISO 8601): the plan's place among the hour's plans, which
   * publishers compare so an older plan never replaces a newer one's publish. Absent in plans made
   * before it was kept.
   */
  readonly plannedAt?: string;
}

/** The order a publisher compares for this plan, when the plan has one. */
export function planOrderOf(manifest: Pick<RunManifest, 'plannedAt'>): { plannedAt: string } | undefined {
  return manifest.plannedAt === undefined ? undefined : { plannedAt: manifest.plannedAt };
}

/** What processing one task wrote into its own folder of the run's scratch space. */
export interface TaskOutput {
  readonly taskId: string;
  readonly objects: number;
  /** Rows per entity. */
  readonly events: Record<string, number>;
  /** Staged files per entity, in source order. */
  readonly tables: Record<string, WrittenFile[]>;
  readonly quarantine: WrittenFile | undefined;
}

export interface TaskProgress {
  readonly objects: number;
  readonly events: number;
}
