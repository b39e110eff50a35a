/** Errors of the storage ports and adapters, phrased for the person who has to fix them. */
import { UserError } from '../errors/user-error.js';
import type { LeaseHolder } from './partition-lease.js';

export class StorageLocationError extends UserError {
  override readonly name = 'StorageLocationError';
}

export class LeaseHeldError extends UserError {
  override readonly name = 'LeaseHeldError';

  constructor(
    readonly partitionKey: string,
    readonly holder: LeaseHolder | undefined,
  ) {
    super(
      holder
        ? `hour ${partitionKey} is being processed by run ${holder.runId} (process ${holder.pid} on ${holder.host}, since ${holder.since}); wait for it to finish`
        : `hour ${partitionKey} is being taken over by another run; wait for it to finish`,
    );
  }
}

export class LeaseLostError extends UserError {
  override readonly name = 'LeaseLostError';

  constructor(partitionKey: string, holder: LeaseHolder | undefined) {
    super(
      `hour ${partitionKey} was taken over by ${holder ? `run ${holder.runId} (process ${holder.pid} on ${holder.host})` : 'another run'} while this run stalled; nothing was published`,
    );
  }
}

/**
 * The object is not there (any more): listed when the hour was planned, gone when read. Its
 * reading ends in the quarantine, as a damaged object's does: retrying cannot bring it back.
 */
export class ObjectGoneError extends StorageLocationError {}

/**
 * A run's plan of an hour is older than the plan of the publication the lake holds: publishing it
 * would put older data back (a replayed dead letter after a rerun read a late file, say).
 */
export class PublishOrderError extends UserError {
  override readonly name = 'PublishOrderError';

  constructor(
    readonly runId: string,
    readonly partitionKey: string,
    readonly plannedAt: string,
    readonly current: { readonly runId: string; readonly plannedAt: string },
  ) {
    super(
      `run ${runId} was not published: its plan of hour ${partitionKey} (${plannedAt}) is older than that of run ${current.runId} (${current.plannedAt}), whose publish the lake holds, and publishing it would roll the hour back; run the hour again to read its sources anew`,
    );
  }
}

