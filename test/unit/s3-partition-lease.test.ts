/**
 * Leases on an object store, against the conditional in-memory store double (s3rver ignores
 * If-None-Match, so it cannot referee a race). The clock is injected; renewal timers are
 * vitest's fake ones, so nothing here sleeps.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseHeldError, LeaseLostError } from '../../src/storage/errors.js';
import type { Lease } from '../../src/storage/partition-lease.js';
import { S3PartitionLease } from '../../src/storage/s3/s3-partition-lease.js';
import { ConditionalMemoryStore, type StoreOperation } from '../helpers/conditional-memory-store.js';

const HOUR = '2019-06-01T15';
const KEY = `_leases/${HOUR}.lease`;
const TTL = 60_000;

/** Holds the first `count` calls of `operation` until all of them have arrived, then lets them go together. */
function gate(store: ConditionalMemoryStore, operation: StoreOperation, count: number): void {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  store.before = async (op) => {
    if (op !== operation || arrived >= count) return;
    if (++arrived === count) open();
    await opened;
  };
}

function settle(results: PromiseSettledResult<Lease>[]): { won: Lease[]; lost: unknown[] } {
  return {
    won: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    lost: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('S3PartitionLease', () => {
  it('gives a free hour to exactly one of 8 runs racing to create its lease', async () => {
    const store = new ConditionalMemoryStore();
    const leases = new S3PartitionLease(store, { ttlMs: TTL, now: () => 0 });
    gate(store, 'createIfAbsent', 8);
    const { won, lost } = settle(await Promise.allSettled(Array.from({ length: 8 }, (_, i) => leases.acquire(HOUR, `racer-${i}`))));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const reason of lost) expect(reason).toBeInstanceOf(LeaseHeldError);
    expect((lost[0] as Error).message).toMatch(new RegExp(`^hour ${HOUR} is being processed by run ${won[0]?.holder.runId} \\(process \\d+ on .+, since 1970-01-01T00:00:00.000Z\\); wait for it to finish$`));
    expect(JSON.parse(store.text(KEY) ?? '')).toMatchObject({ runId: won[0]?.holder.runId, expiresAt: new Date(TTL).toISOString() });
    await won[0]?.release();
  });

  it('lets exactly one of 8 runs take over an expired lease, naming whom it took it from', async () => {
    const store = new ConditionalMemoryStore();
    let now = 0;
    const leases = new S3PartitionLease(store, { ttlMs: TTL, now: () => now });
    await leases.acquire(HOUR, 'dead-run'); // never renewed: its process is gone
    now = TTL + 1;
    // Every racer reads the expired lease before any of them writes: the race a naive
    // "delete, then create" loses, reproduced on every run.
    gate(store, 'replaceIfMatch', 8);
    const { won, lost } = settle(await Promise.allSettled(Array.from({ length: 8 }, (_, i) => leases.acquire(HOUR, `racer-${i}`))));
    expect(won).toHaveLength(1);
    expect(won[0]?.tookOverFrom?.runId).toBe('dead-run');
    for (const reason of lost) expect(reason).toBeInstanceOf(LeaseHeldError);
    expect(JSON.parse(store.text(KEY) ?? '').runId).toBe(won[0]?.holder.runId);
    await won[0]?.release();
  });

  it('takes over a lease object that is not a lease record', async () => {
    const store = new ConditionalMemoryStore();
    await store.write(KEY, Buffer.from('{"runId": "torn'));
    const lease = await new S3PartitionLease(store, { ttlMs: TTL }).acquire(HOUR, 'run-a');
    expect(lease.holder.runId).toBe('run-a');
    expect(lease.tookOverFrom).toBeUndefined();
    await lease.release();
  });

  it('keeps a held lease alive past its ttl by renewing it every ttl/3', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = new ConditionalMemoryStore();
    let now = 0;
    const leases = new S3PartitionLease(store, { ttlMs: TTL, now: () => now });
    const held = await leases.acquire(HOUR, 'run-a');
    for (let step = 0; step < 6; step++) {
      now += TTL / 3;
      await vi.advanceTimersByTimeAsync(TTL / 3);
    }
    // Two ttls since it was taken, but renewed all along: still held, and by run-a.
    expect(JSON.parse(store.text(KEY) ?? '').expiresAt).toBe(new Date(now + TTL).toISOString());
    await expect(leases.acquire(HOUR, 'run-b')).rejects.toThrow(/by run run-a/);
    await held.assertHeld();
    await held.release();
    expect(store.keys()).toEqual([]);
  });

  it('tells a holder that stalled past its ttl that the hour was taken over, and never removes or overwrites the new lease', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = new ConditionalMemoryStore();
    let now = 0;
    const leases = new S3PartitionLease(store, { ttlMs: TTL, now: () => now });
    const stalled = await leases.acquire(HOUR, 'run-slow');
    await stalled.assertHeld();
    // Its renewals did not happen (the process was stopped): another run finds the lease expired.
    now = 2 * TTL;
    const taker = await leases.acquire(HOUR, 'run-new');
    expect(taker.tookOverFrom?.runId).toBe('run-slow');
    const taken = store.text(KEY);
    // The stalled run wakes up: its renewal is refused, not written over the new holder's lease.
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(JSON.parse(store.text(KEY) ?? '').runId).toBe('run-new');
    await expect(stalled.assertHeld()).rejects.toThrow(LeaseLostError);
    await expect(stalled.assertHeld()).rejects.toThrow(
      /^hour 2019-06-01T15 was taken over by run run-new \(process \d+ on .+\) while this run stalled; nothing was published$/,
    );
    await stalled.release();
    await stalled.release();
    expect(JSON.parse(store.text(KEY) ?? '').runId).toBe('run-new');
    await expect(leases.acquire(HOUR, 'run-third')).rejects.toThrow(/by run run-new/);
    // The new holder's own renewals go on undisturbed.
    now += TTL / 3;
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(store.text(KEY)).not.toBe(taken);
    expect(JSON.parse(store.text(KEY) ?? '')).toMatchObject({ runId: 'run-new', expiresAt: new Date(now + TTL).toISOString() });
    await taker.assertHeld();
    await taker.release();
    expect(store.keys()).toEqual([]);
  });

  it('counts a lease that expired but was not taken over as still held, and renews it at assertHeld', async () => {
    const store = new ConditionalMemoryStore();
    let now = 0;
    const leases = new S3PartitionLease(store, { ttlMs: TTL, now: () => now });
    const held = await leases.acquire(HOUR, 'run-a');
    now = 2 * TTL;
    await held.assertHeld();
    // Renewed by the check: a run arriving now finds it live.
    await expect(leases.acquire(HOUR, 'run-b')).rejects.toThrow(LeaseHeldError);
    await held.release();
  });

  it('counts a lease removed from under its holder as lost', async () => {
    const store = new ConditionalMemoryStore();
    const held = await new S3PartitionLease(store, { ttlMs: TTL }).acquire(HOUR, 'run-a');
    await store.delete(KEY);
    await expect(held.assertHeld()).rejects.toThrow(/^hour 2019-06-01T15 was taken over by another run while this run stalled/);
    await held.release();
    expect(store.keys()).toEqual([]);
  });

  it('keeps hours independent, and a released hour can be taken again', async () => {
    const store = new ConditionalMemoryStore();
    const leases = new S3PartitionLease(store, { ttlMs: TTL });
    const first = await leases.acquire(HOUR, 'run-a');
    const other = await leases.acquire('2019-06-01T16', 'run-c');
    await first.release();
    const second = await leases.acquire(HOUR, 'run-b');
    expect(second.tookOverFrom).toBeUndefined();
    await second.release();
    await other.release();
    expect(store.keys()).toEqual([]);
  });
});
