/**
 * Limits guessing the token, at login and with `Authorization: Bearer` alike. Two token buckets
 * of wrong tries, refilled with time (an injected clock):
 * - per client (see client-key.ts): PER_CLIENT_BURST wrong tokens, then one more every
 *   PER_CLIENT_REFILL_MS; a client whose bucket is empty is refused before its token is even
 *   compared, so a lucky guess while throttled tells it nothing;
 * - overall: GLOBAL_BURST wrong tokens from anyone, then one every GLOBAL_REFILL_MS. When that is
 *   spent, clients with a wrong try on record wait for it, but a client with none (or whose own
 *   bucket refilled) is still heard, so it never locks out someone who types the token right. It
 *   trims each address's burst while many guess at once; it does not cap the long-run rate, which
 *   stays one try per PER_CLIENT_REFILL_MS per address: many addresses guess that much faster.
 * A refused try is answered 429 with Retry-After (whole seconds). The right token clears its
 * client's record. A token of 16 characters or more (required beyond loopback) is what keeps
 * guessing hopeless; the throttle only slows it.
 */

export const PER_CLIENT_BURST = 5;
export const PER_CLIENT_REFILL_MS = 30_000;
export const GLOBAL_BURST = 30;
export const GLOBAL_REFILL_MS = 2_000;
/**
 * Client records kept: past this many, the full ones (nothing to remember) are swept, at most once
 * a refill period so an attack from many addresses does not sweep on every try, and if that is
 * not enough the oldest records go.
 */
const MAX_CLIENTS = 10_000;

export interface ThrottleLimits {
  readonly perClientBurst: number;
  readonly perClientRefillMs: number;
  readonly globalBurst: number;
  readonly globalRefillMs: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perClientBurst: PER_CLIENT_BURST,
  perClientRefillMs: PER_CLIENT_REFILL_MS,
  globalBurst: GLOBAL_BURST,
  globalRefillMs: GLOBAL_REFILL_MS,
};

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterS: number; readonly reason: string };

class Bucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    at: number,
  ) {
    this.tokens = burst;
    this.updated = at;
  }

  level(at: number): number {
    if (at > this.updated) {
      this.tokens = Math.min(this.burst, this.tokens + (at - this.updated) / this.refillMs);
      this.updated = at;
    }
    return this.tokens;
  }

  full(at: number): boolean {
    return this.level(at) >= this.burst;
  }

  /** Milliseconds until one whole token is there. */
  waitMs(at: number): number {
    return Math.max(0, (1 - this.level(at)) * this.refillMs);
  }

  spend(at: number): void {
    this.tokens = Math.max(0, this.level(at) - 1);
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export class LoginThrottle {
  private readonly clients = new Map<string, Bucket>();
  private readonly overall: Bucket;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
  ) {
    this.overall = new Bucket(limits.globalBurst, limits.globalRefillMs, now());
  }

  /** Whether `client` may have a token compared now; when not, how long to wait and why. */
  admit(client: string): Admission {
    const at = this.now();
    const own = this.clients.get(client);
    if (own === undefined || own.full(at)) return { admitted: true };
    if (own.level(at) < 1) {
      return { admitted: false, retryAfterS: seconds(own.waitMs(at)), reason: 'too many wrong tokens from this address' };
    }
    if (this.overall.level(at) < 1) {
      return { admitted: false, retryAfterS: seconds(this.overall.waitMs(at)), reason: 'too many wrong tokens lately, from all addresses together' };
    }
    return { admitted: true };
  }

  /** A wrong token from `client`: spends from its bucket and the overall one. */
  failed(client: string): void {
    const at = this.now();
    let own = this.clients.get(client);
    if (own === undefined) {
      if (this.clients.size >= MAX_CLIENTS) this.makeRoom(at);
      own = new Bucket(this.limits.perClientBurst, this.limits.perClientRefillMs, at);
      this.clients.set(client, own);
    }
    own.spend(at);
    this.overall.spend(at);
  }

  /** The right token from `client`: its wrong tries are forgotten. */
  succeeded(client: string): void {
    this.clients.delete(client);
  }

  private makeRoom(at: number): void {
    if (at - this.lastSweep >= this.limits.perClientRefillMs) {
      this.lastSweep = at;
      for (const [client, bucket] of this.clients) if (bucket.full(at)) this.clients.delete(client);
    }
    // Maps iterate in insertion order: the first keys are the oldest records.
    for (const client of this.clients.keys()) {
      if (this.clients.size < MAX_CLIENTS) break;
      this.clients.delete(client);
    }
  }
}
