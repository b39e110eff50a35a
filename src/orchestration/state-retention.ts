/**
 * The state-retention port: finished runs older than the retention lose what only their work
 * needed (the plan's manifest, the queue's messages and their attempts) and keep their record
 * and summary, which status, the API and the UI show. A run still queued or running is never
 * touched, nor one with a dead letter (replaying it needs its messages and plan).
 */
export interface PruneRequest {
  /** Runs that finished before this lose their manifest and messages. */
  readonly finishedBefore: Date;
  /** Count what would go, change nothing. */
  readonly dryRun?: boolean;
}

export interface PruneResult {
  /** Runs pruned (or that would be, on a dry run). */
  readonly runs: number;
  readonly messages: number;
  readonly attempts: number;
  /** Bytes of manifests and message bodies and results removed (the file keeps its size; SQLite reuses the space). */
  readonly bytes: number;
  /** Finished before the cutoff but kept for their dead letters. */
  readonly keptDeadLettered: number;
}

export interface StateRetention {
  prune(request: PruneRequest): Promise<PruneResult>;
}
