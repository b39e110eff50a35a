/**
 * The run-store port: one record per run of an hour, written when it starts and again when it
 * ends, so "what happened to hour H" has an answer even for runs that failed or died.
 */
export type RunStatus = 'queued' | 'running' | 'success' | 'failed';

export interface RunOutputRecord {
  /** The file's key in the lake. */
  readonly key: string;
  readonly entity: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface RunRecord {
  readonly runId: string;
  readonly hour: string;
  readonly status: RunStatus;
  readonly source: string;
  readonly lake: string;
  readonly format: string;
  readonly codec: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly objects?: number;
  readonly bytes?: number;
  readonly skipped?: number;
  readonly events?: Record<string, number>;
  readonly quarantined?: number;
  readonly outputs?: readonly RunOutputRecord[];
  readonly seconds?: number;
  /** The one-sentence reason a failed run gives. */
  readonly error?: string;
}

export interface RunStore {
  /** Creates or replaces the run's record. */
  save(record: RunRecord): Promise<void>;
  get(runId: string): Promise<RunRecord | undefined>;
  /** Every record, oldest start first. */
  list(): Promise<RunRecord[]>;
}
