/**
 * Partition leases on an object store: one object per hour, `_leases/<hour>.lease`, holding its
 * holder and when the lease expires. Every change is a conditional write, so of many racers
 * exactly one wins: a free hour is taken with createIfAbsent (If-None-Match), an expired lease
 * is taken over, and a held one renewed, with replaceIfMatch on the etag last seen (If-Match).
 *
 * Liveness is by expiry alone: holders run on different machines (Lambdas, containers), so no
 * process can be asked whether another is alive. A holder renews its lease every ttl/3; one that
 * stops renewing for a whole ttl is dead as far as the hour is concerned, and taken over.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { leaseKey } from '../../pipeline/lake-layout.js';
import { LeaseHeldError, LeaseLostError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import type { Lease, LeaseHolder, PartitionLease } from '../partition-lease.js';

export interface S3LeaseOptions {
  /** A lease not renewed for this long is taken over (default 2 minutes). */
  readonly ttlMs?: number;
  /** The clock; tests inject one. */
  readonly now?: () => number;
}

const DEFAULT_TTL_MS = 2 * 60_000;
const MAX_ATTEMPTS = 10;

const leaseRecord = z.object({
  runId: z.string(),
  pid: z.number(),
  host: z.string(),
  since: z.string(),
  expiresAt: z.iso.datetime(),
});

interface Observed {
  readonly etag: string;
  /** Undefined when the object is not a lease record: treated as expired. */
  readonly holder: LeaseHolder | undefined;
  readonly expiresAtMs: number;
}

function holderOf(record: z.infer<typeof leaseRecord>): LeaseHolder {
  return { runId: record.runId, pid: record.pid, host: record.host, since: record.since };
}

/** The lease object's content: its holder and when it expires. */
function leaseBody(holder: LeaseHolder, expiresAtMs: number): Buffer {
  return Buffer.from(`${JSON.stringify({ ...holder, expiresAt: new Date(expiresAtMs).toISOString() })}\n`);
}

async function observe(store: ObjectStore, key: string): Promise<Observed | undefined> {
  const found = await store.readVersion(key);
  if (!found) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(found.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = leaseRecord.safeParse(json);
  if (!parsed.success) return { etag: found.etag, holder: undefined, expiresAtMs: Number.NEGATIVE_INFINITY };
  return { etag: found.etag, holder: holderOf(parsed.data), expiresAtMs: Date.parse(parsed.data.expiresAt) };
}

/**
 * The etag of what we just wrote, read back (a conditional write does not answer it); undefined
 * when the object no longer has our bytes.
 */
async function ownEtag(store: ObjectStore, key: string, body: Buffer): Promise<string | undefined> {
  const found = await store.readVersion(key);
  return found?.body.equals(body) ? found.etag : undefined;
}

interface Clock {
  readonly ttlMs: number;
  readonly now: () => number;
}

export class S3PartitionLease implements PartitionLease {
  private readonly clock: Clock;

  constructor(
    private readonly store: ObjectStore,
    options: S3LeaseOptions = {},
  ) {
    this.clock = { ttlMs: options.ttlMs ?? DEFAULT_TTL_MS, now: options.now ?? Date.now };
  }

  async acquire(partitionKey: string, runId: string): Promise<Lease> {
    const { now, ttlMs } = this.clock;
    const key = leaseKey(partitionKey);
    const holder: LeaseHolder = { runId, pid: process.pid, host: hostname(), since: new Date(now()).toISOString() };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const body = leaseBody(holder, now() + ttlMs);
      let tookOverFrom: LeaseHolder | undefined;
      if (!(await this.store.createIfAbsent(key, body))) {
        const seen = await observe(this.store, key);
        if (seen === undefined) continue; // released in between: try to create again
        if (seen.expiresAtMs >= now()) throw new LeaseHeldError(partitionKey, seen.holder);
        // Every racer that saw this expired lease names its etag; the store lets one of them win.
        if (!(await this.store.replaceIfMatch(key, body, seen.etag))) continue;
        tookOverFrom = seen.holder;
      }
      const etag = await ownEtag(this.store, key, body);
      if (etag === undefined) break; // taken from us within a ttl: a clock far off
      return new HeldS3Lease(this.store, this.clock, partitionKey, holder, etag, tookOverFrom);
    }
    throw new LeaseHeldError(partitionKey, undefined);
  }
}

/** A lease this process holds: renewed on a timer until released or lost. */
class HeldS3Lease implements Lease {
  private readonly key: string;
  private readonly timer: NodeJS.Timeout;
  /** Renewals, assertHeld and release one at a time: two renewals on one etag would judge us lost. */
  private queue: Promise<unknown> = Promise.resolve();
  private lost = false;
  private released = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    readonly partitionKey: string,
    readonly holder: LeaseHolder,
    private etag: string,
    readonly tookOverFrom: LeaseHolder | undefined,
  ) {
    this.key = leaseKey(partitionKey);
    // A failed request is not a lost lease: the next renewal's If-Match tells.
    this.timer = setInterval(() => void this.serial(() => this.renew()).catch(() => undefined), clock.ttlMs / 3);
    this.timer.unref();
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Extends the lease if it is still ours (its etag unchanged); otherwise it is lost for good. */
  private async renew(): Promise<boolean> {
    if (this.lost || this.released) return false;
    const body = leaseBody(this.holder, this.clock.now() + this.clock.ttlMs);
    const etag = (await this.store.replaceIfMatch(this.key, body, this.etag)) ? await ownEtag(this.store, this.key, body) : undefined;
    if (etag === undefined) {
      this.lost = true;
      clearInterval(this.timer);
      return false;
    }
    this.etag = etag;
    return true;
  }

  /**
   * Renews the lease on the spot: a conditional write is the one check no other run can slip
   * past, and the publish that follows starts with a whole ttl ahead of it.
   */
  assertHeld(): Promise<void> {
    return this.serial(async () => {
      if (await this.renew()) return;
      const current = await observe(this.store, this.key);
      throw new LeaseLostError(this.partitionKey, current?.holder?.runId === this.holder.runId ? undefined : current?.holder);
    });
  }

  /**
   * Deletes the lease only if it is still ours. The store has no conditional delete, so the lease
   * is first renewed with If-Match: the delete then comes a whole ttl before anyone may take over.
   */
  release(): Promise<void> {
    clearInterval(this.timer);
    return this.serial(async () => {
      if (this.released) return;
      const ours = await this.renew();
      this.released = true;
      if (ours) await this.store.delete(this.key);
    });
  }
}
