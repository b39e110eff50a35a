/** What the planner hands a worker, and what a worker hands back. */
import type { FormatName, WrittenFile } from '../formats/lake-format.js';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';

export interface SourceObjectRef {
  /** Position in the run's object list; rows store it instead of the key. */
  readonly index: number;
  readonly key: string;
  readonly size: number;
}

/** A batch of objects for one worker to read. */
export interface HourTask {
  readonly objects: readonly SourceObjectRef[];
  /** Their total size, to balance the workers. */
  readonly bytes: number;
}

export interface HourWorkerSetup {
  readonly workerId: number;
  readonly source: ObjectStoreConfig;
  readonly format: FormatName;
  readonly codec: string;
  /** The run's scratch folder; each worker writes below it. */
  readonly workDir: string;
  readonly objectKeys: readonly string[];
  readonly maxLineBytes: number;
  readonly targetFileBytes: number;
}

export interface HourProgress {
  readonly objects: number;
  readonly events: number;
}

export interface HourWorkerResult {
  readonly written: Record<string, WrittenFile[]>;
  readonly events: Record<string, number>;
  readonly quarantined: number;
  readonly quarantineFile: string | undefined;
}
