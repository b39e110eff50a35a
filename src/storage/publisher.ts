/**
 * The publisher port: makes a run's finished partitions the lake's, replacing what was there,
 * so readers never see a half-written hour or two copies of it.
 */

/** A finished part in the run's scratch space, ready to be published under `name`. */
export interface FinishedPart {
  readonly name: string;
  /** The part's file in the run's scratch space; publishing consumes it. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
}

/** A partition such as `vehicle/date=2019-06-01/hour=15` and its new parts (none: it is removed). */
export interface PartitionParts {
  readonly partition: string;
  readonly parts: readonly FinishedPart[];
}

export interface PublishedFile {
  /** The file's key in the lake, e.g. `vehicle/date=2019-06-01/hour=15/part-00000.parquet`. */
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface PublishedPartition {
  readonly partition: string;
  readonly files: readonly PublishedFile[];
}

export interface Publisher {
  /** Replaces each partition with its new parts, all of the run's partitions or (after a crash) none yet. */
  publish(runId: string, partitions: readonly PartitionParts[]): Promise<PublishedPartition[]>;
  /** Drops what the run staged, without publishing. */
  abandon(runId: string): Promise<void>;
  /**
   * Finishes a publish of this partition key that a crash interrupted, and clears abandoned
   * staging of it, except the unpublished staging of `keep` (a run taken over, going on with
   * the tasks it had done). Call only while holding the partition key's lease.
   */
  recover(partitionKey: string, keep?: string): Promise<void>;
}
