/**
 * The partition-lease port: at most one run holds a partition key (an hour) at a time. Kept
 * with the lake, not the state folder, so two state folders on one lake still never run one
 * hour twice. A run whose partition is held by a live run fails at once; it never waits.
 */
export interface LeaseHolder {
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface Lease {
  readonly partitionKey: string;
  readonly holder: LeaseHolder;
  /** The dead holder this lease was taken over from, if any. */
  readonly tookOverFrom?: LeaseHolder;
  /**
   * Rejects with LeaseLostError when another run has taken the partition over (this run was
   * judged dead while it stalled): called just before publishing, so it publishes nothing.
   */
  assertHeld(): Promise<void>;
  /** Gives the partition back; releasing twice is harmless. */
  release(): Promise<void>;
}

export interface PartitionLease {
  /**
   * Takes the partition for the run, taking it over from a holder that died. Rejects with
   * LeaseHeldError while a live run holds it (or is taking it over).
   */
  acquire(partitionKey: string, runId: string): Promise<Lease>;
}
