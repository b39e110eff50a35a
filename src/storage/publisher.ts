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

/**
 * Where the run's plan stands among the hour's plans: when it listed the hour's sources (the run
 * manifest's plannedAt). A publisher records it with the hour's publication and refuses, under the
 * hour's lease, a plan older than the one the lake holds (PublishOrderError), so no caller (a
 * replay, a run that stalled, a Lambda's late close) can roll an hour back to older sources.
 */
export interface PlanOrder {
  /** ISO 8601 time, compared as an instant. */
  readonly plannedAt: string;
}

/** What recovering an hour did with one run's leftovers: one sentence for the log. */
export interface Recovered {
  readonly runId: string;
  /**
   * finished: the run's interrupted publish was completed from its journal; rolled-back: its
   * journal could not be completed (staged parts gone, or a newer plan published since) and was
   * dropped with its staging, so the hour is run again from its sources; abandoned: the run never
   * committed, its staging was cleared.
   */
  readonly outcome: 'finished' | 'rolled-back' | 'abandoned';
  readonly message: string;
}

export interface Publisher {
  /**
   * Replaces each partition with its new parts, all of the run's partitions or (after a crash)
   * none yet. With `plan`, refuses (PublishOrderError, nothing changed) when the hour holds a
   * publication of a newer plan. Call only while holding the partition key's lease.
   */
  publish(runId: string, partitions: readonly PartitionParts[], plan?: PlanOrder): Promise<PublishedPartition[]>;
  /** Drops what the run staged, without publishing. */
  abandon(runId: string): Promise<void>;
  /**
   * Finishes a publish of this partition key that a crash interrupted, and clears abandoned
   * staging of it, except the unpublished staging of `keep` (a run taken over, going on with
   * the tasks it had done). Call only while holding the partition key's lease.
   */
  recover(partitionKey: string, keep?: string): Promise<Recovered[]>;
}
