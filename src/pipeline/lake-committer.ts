/**
 * The commit port: makes an hour's staged partitions visible, replacing what was there,
 * so readers never see a half-written hour or two copies of it.
 */

/** A lake partition such as `vehicle/date=2019-06-01/hour=15`, and whether the run staged one. */
export interface PartitionChange {
  readonly partition: string;
  /** False: the run produced nothing for it, so any old copy is removed. */
  readonly staged: boolean;
}

export interface LakeCommitter {
  /** Where this run writes the partitions it will commit (`<dir>/<partition>/…`). */
  stagingDir(runId: string): string;
  /** Scratch space for the run, removed after the commit. */
  scratchDir(runId: string): string;
  /**
   * Claims the hour for this run and its staging area for this process; rejects with a
   * UserError while another live run holds the same hour.
   */
  begin(runId: string, hour: string): Promise<void>;
  commit(runId: string, changes: readonly PartitionChange[]): Promise<void>;
  /** Drops the run's staging area without committing. */
  abort(runId: string): Promise<void>;
  /** Finishes commits interrupted by a crash and clears abandoned staging areas. */
  recover(): Promise<void>;
}
