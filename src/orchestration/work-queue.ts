/**
 * The work-queue port: the stages of a run as durable messages (each task, then the run's
 * finish-and-publish), delivered at least once. A claim hands out a random claim token and
 * makes the message invisible for the visibility timeout; its holder heartbeats to keep it
 * (each heartbeat extends it by the timeout again). A claim not heartbeated in time (its
 * process frozen, stuck or on a lost machine) is visible again and taken over by whoever asks;
 * a claim whose claimer died is visible again at once. Completing, failing, heartbeating or
 * releasing needs the token: a holder whose claim was taken over, or already settled, is
 * refused and changes nothing. A message that fails is retried with backoff, and after its last
 * attempt becomes a dead letter.
 */
import type { Task, TaskOutput } from '../pipeline/run-manifest.js';

export type MessageKind = 'task' | 'finish';

export type MessageStatus = 'ready' | 'claimed' | 'done' | 'dead';

export interface QueueMessage {
  readonly id: number;
  readonly runId: string;
  readonly kind: MessageKind;
  /** The task, for task messages. */
  readonly task?: Task;
  readonly status: MessageStatus;
  /** Attempts so far, this one included once claimed. */
  readonly attempts: number;
  readonly claimedBy?: string;
  readonly error?: string;
}

export interface DeadLetter {
  readonly id: number;
  readonly messageId: number;
  readonly runId: string;
  readonly hour: string;
  readonly kind: MessageKind;
  readonly taskId?: string;
  readonly attempts: number;
  readonly error: string;
  readonly deadAt: string;
  readonly replayedAt?: string;
}

export interface Attempt {
  readonly messageId: number;
  readonly runId: string;
  readonly kind: MessageKind;
  readonly taskId?: string;
  readonly attempt: number;
  readonly worker: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** running, ok, error, or lost (its process died). */
  readonly outcome: 'running' | 'ok' | 'error' | 'lost';
  readonly error?: string;
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  readonly retries: number;
  /** Delay before the first retry; doubled for each later one, up to `maxDelayMs`. */
  readonly delayMs: number;
  readonly maxDelayMs: number;
}

/** A message just claimed, with the token its holder presents to settle or keep it. */
export interface ClaimedMessage extends QueueMessage {
  readonly claimToken: string;
}

/** The reference to a claim that settling or keeping it needs. */
export interface ClaimRef {
  readonly messageId: number;
  readonly claimToken: string;
}

/** `refused`: the claim was taken over or already settled; nothing changed. */
export type FailOutcome =
  | { readonly outcome: 'retry'; readonly at: Date; readonly attempt: number }
  | { readonly outcome: 'dead'; readonly deadLetter: DeadLetter }
  | { readonly outcome: 'refused' };

export interface QueueCounts {
  readonly tasks: number;
  readonly tasksDone: number;
  readonly dead: number;
}

export interface WorkQueue {
  /** Adds the run's messages; a message the run already has (same kind and task) is kept as is. */
  enqueue(runId: string, messages: readonly { kind: MessageKind; task?: Task }[]): Promise<void>;
  /**
   * Claims the next visible message of one of `runIds` for `owner` (tasks in task order, finish
   * last), invisible to others for `visibilityMs` unless heartbeated. A claim that timed out is
   * taken over: its holder's token stops working, and its attempt is recorded as lost.
   */
  claim(owner: string, runIds: readonly string[], visibilityMs: number): Promise<ClaimedMessage | undefined>;
  /** Marks a claimed message done with its result (a task's output); false (nothing done) when the claim is no longer the caller's. */
  complete(claim: ClaimRef, result?: TaskOutput): Promise<boolean>;
  /** Records a failed attempt: retried after its backoff, or dead-lettered after the last; `refused` when the claim is no longer the caller's. */
  fail(claim: ClaimRef, error: string, policy: RetryPolicy): Promise<FailOutcome>;
  /** Keeps the claim invisible for `visibilityMs` from now; false when it is no longer the caller's. */
  heartbeat(claim: ClaimRef, visibilityMs: number): Promise<boolean>;
  /** Gives the claim back, visible at once and its attempt uncharged; false when it is no longer the caller's. */
  release(claim: ClaimRef): Promise<boolean>;
  /** Claimed messages whose claimer is dead become visible at once; returns how many. */
  releaseDead(): Promise<number>;
  /** Puts tasks back to ready (their outputs were lost), with their attempts kept. */
  redo(runId: string, taskIds: readonly string[]): Promise<void>;
  counts(runId: string): Promise<QueueCounts>;
  /** Task outputs of the run's done tasks, in task order. */
  results(runId: string): Promise<TaskOutput[]>;
  /**
   * When the next message of the runs that is not visible yet becomes visible (a retry's
   * backoff, a claim's timeout), if any. Messages visible now are not counted: the caller
   * claims them as soon as it has room, and is woken when it has.
   */
  nextVisible(runIds: readonly string[]): Promise<Date | undefined>;
  attempts(runId: string): Promise<Attempt[]>;
  /** The run's messages, tasks in task order, then its finish. */
  messages(runId: string): Promise<QueueMessage[]>;
  /** Messages claimed right now (tasks running), oldest claim first. */
  claimed(): Promise<QueueMessage[]>;
  /** Newest first: at most `limit` of them, from the `offset`-th. */
  deadLetters(options?: { includeReplayed?: boolean; limit?: number; offset?: number }): Promise<DeadLetter[]>;
  /** How many dead letters `deadLetters` lists in all (counted, not read). */
  countDeadLetters(options?: { includeReplayed?: boolean }): Promise<number>;
  deadLetter(id: number): Promise<DeadLetter | undefined>;
  /** The dead message is ready again with a fresh set of attempts; the dead letter is marked replayed. */
  replay(id: number): Promise<DeadLetter>;
}
