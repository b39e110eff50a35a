/**
 * The run-store port: one record per run of an hour (one per trigger, keyed by lake and hour),
 * from queued to success or failed, with what it was asked to do and how it ended. At most one
 * run of a lake's hour is queued or running at a time: the store itself refuses a second.
 */
import type { FormatName } from '../formats/lake-format.js';
import type { RunManifest } from '../pipeline/run-manifest.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';
import type { LakeConfig } from '../storage/lake-config.js';

export const RUN_STATUSES = ['queued', 'running', 'success', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Why the run exists. */
export type RunTrigger = 'run' | 'schedule' | 'catchup' | 'manual' | 'backfill' | 'late_data';

/** What a run was asked to do: plain data, so any process can take it over. */
export interface RunRequest {
  readonly source: ObjectStoreConfig;
  readonly lake: LakeConfig;
  readonly layout: SourceLayout;
  readonly format: FormatName;
  readonly codec: string;
  readonly targetFileBytes: number;
  readonly maxLineBytes: number;
  /** The IANA zone the hour of the file names is read in (deadlines count from its end). */
  readonly timezone: string;
}

export interface RunOutputRecord {
  /** The file's key in the lake. */
  readonly key: string;
  readonly entity: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface RunSummary {
  readonly objects: number;
  readonly bytes: number;
  readonly skipped: number;
  readonly events: Record<string, number>;
  readonly quarantined: number;
  readonly outputs: readonly RunOutputRecord[];
  /** From the first start to the publish, over every process that worked on it. */
  readonly seconds: number;
  /** The time the run lay failed before a replay, already left out of `seconds` (absent: none, or a run recorded before it was). */
  readonly deadSeconds?: number;
  /** Quarantined lines over lines read (rows + quarantined). */
  readonly quarantinedShare: number;
}

export interface RunRecord {
  readonly id: string;
  /** The lake's location, the first half of the run's key. */
  readonly lake: string;
  /** The hour's label, e.g. `2019-06-01T15`. */
  readonly hour: string;
  readonly status: RunStatus;
  readonly trigger: RunTrigger;
  /** 1 for the first start; a plan that failed and is tried again counts up. */
  readonly attempt: number;
  readonly request: RunRequest;
  /** The process working on it (see process-identity), while running. */
  readonly owner?: string;
  readonly queuedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** A queued run waits until then (a retry's backoff). */
  readonly notBefore?: string;
  /** The one-sentence reason a failed run gives, or why the last attempt failed. */
  readonly error?: string;
  readonly summary?: RunSummary;
  /** Set when the hour's quarantined share was over the threshold (it still published). */
  readonly poorQuality?: boolean;
  /** The run has a plan (its tasks are on the queue), or had one before it was pruned. */
  readonly planned: boolean;
  /** When retention removed its manifest and messages (its record and summary stay). */
  readonly prunedAt?: string;
  /** A sentence on how it went that is not an error (an hour recorded empty, a replay that queued it again). */
  readonly note?: string;
}

export interface SubmitRun {
  readonly lake: string;
  readonly hour: string;
  readonly trigger: RunTrigger;
  readonly request: RunRequest;
  /**
   * A runtime that plans before it queues (the cloud's fan-out) gives the plan: the run takes the
   * plan's id and is recorded with it at once. Without it, the run gets a new id and is planned
   * when it starts (saveManifest).
   */
  readonly plan?: RunManifest;
}

export interface RunFilter {
  readonly status?: RunStatus;
  readonly lake?: string;
  readonly hour?: string;
  /** Hours from this label on (labels sort as the hours do). */
  readonly fromHour?: string;
  readonly limit?: number;
}

export type RunEnd =
  | { readonly status: 'success'; readonly summary: RunSummary; readonly poorQuality: boolean }
  | { readonly status: 'failed'; readonly error: string };

/**
 * The records half of the port, what every runtime keeps of its runs: the local state's SQLite
 * database, and the cloud's records in the lake itself (lake/lake-run-store.ts).
 */
export interface RunRecords {
  /** Queues a run of the hour, or answers the one already queued or running (created false). */
  submit(run: SubmitRun): Promise<{ run: RunRecord; created: boolean }>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  list(filter?: RunFilter): Promise<RunRecord[]>;
  /** The latest hour a run of the lake is for (one with `status`, when given). */
  newestHour(lake: string, status?: RunStatus): Promise<string | undefined>;
  saveManifest(runId: string, manifest: RunManifest): Promise<void>;
  manifest(runId: string): Promise<RunManifest | undefined>;
  /** Ends a run `owner` holds (in the cloud: one still queued); false when it is no longer theirs (ended meanwhile). */
  end(runId: string, owner: string, end: RunEnd): Promise<boolean>;
  /** A failed run goes back to queued (its dead letter was replayed); fails if the hour is active again. */
  reopen(runId: string): Promise<RunRecord>;
}

/**
 * The claims half: how local processes share the queued runs out among themselves, each holding
 * its runs while it heartbeats (the cloud has no such holders: SQS hands out its tasks).
 */
export interface RunClaims {
  /**
   * Moves the oldest due queued run (of `ids`, when given) to running for `owner`, unless
   * `maxRunning` runs are running already (a run whose owner's claim lapsed does not count).
   * The owner holds it for `claimMs` unless it heartbeats. Atomic across processes.
   */
  start(owner: string, options: { ids?: readonly string[]; maxRunning?: number; claimMs: number }): Promise<RunRecord | undefined>;
  /**
   * Running runs (of `ids`, when given) whose owner is dead, or whose owner's claim lapsed (it
   * stopped heartbeating: frozen, stuck, on a lost machine), become `owner`'s for `claimMs`.
   */
  takeOver(owner: string, options: { ids?: readonly string[]; claimMs: number }): Promise<RunRecord[]>;
  /** Extends `owner`'s claim on the runs by `claimMs` from now; answers the ones still `owner`'s (the others were taken over or ended). */
  heartbeat(owner: string, runIds: readonly string[], claimMs: number): Promise<string[]>;
  /** Puts a run `owner` holds back in the queue until `notBefore`, with its next attempt number. */
  retryLater(runId: string, owner: string, error: string, notBefore: Date): Promise<void>;
  /**
   * Gives a run back to the queue as it is (a clean stop): the next process goes on with it, not
   * before `notBefore` when given (its hour is still held by its previous, frozen holder).
   */
  release(runId: string, owner: string, notBefore?: Date): Promise<void>;
}

/** The local state's run store: records and claims in one database. */
export interface RunStore extends RunRecords, RunClaims {}
