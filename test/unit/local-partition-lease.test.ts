/** Leases on a local lake: one holder per hour, atomic takeover from a dead holder. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../src/storage/errors.js';
import { LocalPartitionLease } from '../../src/storage/local/local-partition-lease.js';
import { tempDir } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function leaveDeadLease(lake: string): Promise<void> {
  await mkdir(join(lake, '_leases'), { recursive: true });
  const holder = { runId: 'dead-run', pid: deadPid(), host: hostname(), since: '2019-06-01T15:00:00.000Z' };
  await writeFile(join(lake, '_leases', `${HOUR}.lease`), JSON.stringify(holder));
}

/** Where a takeover of the lease now in the lake is claimed. */
async function claimOf(lake: string): Promise<string> {
  const text = await readFile(join(lake, '_leases', `${HOUR}.lease`), 'utf8');
  return join(lake, '_leases', `${HOUR}.lease.takeover-${createHash('sha1').update(text).digest('hex').slice(0, 16)}`);
}

/** Polls until `path` was touched within the last `ms`; fails after 2 s. */
async function touchedWithin(path: string, ms: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() - (await stat(path)).mtimeMs > ms) {
    if (Date.now() > deadline) throw new Error(`${path} was not touched`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('LocalPartitionLease', () => {
  it('gives an hour to one run at a time, naming the holder, and frees it on release', async () => {
    const lake = await tempDir();
    const lease = new LocalPartitionLease(lake);
    const first = await lease.acquire(HOUR, 'run-a');
    await expect(lease.acquire(HOUR, 'run-b')).rejects.toThrow(/hour 2019-06-01T15 is being processed by run run-a \(process \d+ on /);
    // Another hour is independent.
    const other = await lease.acquire('2019-06-01T16', 'run-c');
    await first.release();
    await first.release();
    const second = await lease.acquire(HOUR, 'run-b');
    expect(second.holder.runId).toBe('run-b');
    await second.release();
    await other.release();
    expect(await readdir(join(lake, '_leases'))).toEqual([]);
  });

  it('tells a live run of this very process from one that ended', async () => {
    const lake = await tempDir();
    const lease = new LocalPartitionLease(lake);
    await mkdir(join(lake, '_leases'), { recursive: true });
    // A lease of this process whose run is not live here: left by a run that failed without releasing.
    await writeFile(join(lake, '_leases', `${HOUR}.lease`), JSON.stringify({ runId: 'gone', pid: process.pid, host: hostname(), since: 'x' }));
    const taken = await lease.acquire(HOUR, 'run-new');
    await expect(lease.acquire(HOUR, 'run-other')).rejects.toThrow(LeaseHeldError);
    await taken.release();
  });

  it('lets exactly one of many racing runs take over from a dead holder', async () => {
    const lake = await tempDir();
    await leaveDeadLease(lake);
    // Every racer reads the dead holder before any of them moves: the race a naive
    // "delete, then create" lock loses, reproduced on every run.
    const racers = 8;
    let arrived = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const lease = new LocalPartitionLease(lake, {
      beforeTakeover: async () => {
        if (++arrived === racers) open();
        await gate;
      },
    });
    const results = await Promise.allSettled(Array.from({ length: racers }, (_, i) => lease.acquire(HOUR, `racer-${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LeaseHeldError);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<LocalPartitionLease['acquire']>>>).value;
    await winner.release();
    expect(existsSync(join(lake, '_leases', `${HOUR}.lease`))).toBe(false);
    expect(await readdir(join(lake, '_leases'))).toEqual([]);
  });

  it('takes over an unreadable lease file as left by a dead holder', async () => {
    const lake = await tempDir();
    await mkdir(join(lake, '_leases'), { recursive: true });
    await writeFile(join(lake, '_leases', `${HOUR}.lease`), '{"runId": "torn');
    const lease = await new LocalPartitionLease(lake).acquire(HOUR, 'run-a');
    expect(lease.holder.runId).toBe('run-a');
    await lease.release();
  });

  it('takes over a lease nobody touched for too long: another machine that died, or a reused pid', async () => {
    const lake = await tempDir();
    const path = join(lake, '_leases', `${HOUR}.lease`);
    await mkdir(join(lake, '_leases'), { recursive: true });
    const lease = new LocalPartitionLease(lake, { expireMs: 60_000 });
    // Another machine's run, touched recently: it may well be alive.
    await writeFile(path, JSON.stringify({ runId: 'far', pid: 1, host: 'worker-a', since: 'x' }));
    await expect(lease.acquire(HOUR, 'run-a')).rejects.toThrow(/by run far \(process 1 on worker-a/);
    // Its heartbeat stopped long ago: it is gone.
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const taken = await lease.acquire(HOUR, 'run-a');
    expect(taken.tookOverFrom?.runId).toBe('far');
    await taken.release();
    // A live pid of this machine whose lease is stale is some other process now.
    await writeFile(path, JSON.stringify({ runId: 'reused', pid: process.ppid, host: hostname(), since: 'x' }));
    await utimes(path, old, old);
    const again = await lease.acquire(HOUR, 'run-b');
    await again.release();
  });

  it('keeps a held lease fresh with its heartbeat', async () => {
    const lake = await tempDir();
    const path = join(lake, '_leases', `${HOUR}.lease`);
    const lease = new LocalPartitionLease(lake, { heartbeatMs: 20, expireMs: 60_000 });
    const held = await lease.acquire(HOUR, 'run-a');
    // Time passes (the file is made older than the expiry, rather than waiting that long)...
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    // ...and the heartbeat touches it again: without one this wait would time out.
    await touchedWithin(path, 60_000);
    // Older than the expiry since it was made, but touched since: still held.
    await expect(lease.acquire(HOUR, 'run-b')).rejects.toThrow(/by run run-a/);
    await held.release();
  });

  it('is not stuck by a run that died in the middle of its takeover claim', async () => {
    const lake = await tempDir();
    await leaveDeadLease(lake);
    const lease = new LocalPartitionLease(lake);
    // A claim for the dead holder, made by a process that died before finishing the takeover.
    const claim = await claimOf(lake);
    await mkdir(claim);
    await writeFile(join(claim, 'owner'), JSON.stringify({ runId: 'claimer', pid: deadPid(), host: hostname(), since: 'x' }));
    const taken = await lease.acquire(HOUR, 'run-a');
    expect(taken.tookOverFrom?.runId).toBe('dead-run');
    await taken.release();
    expect(await readdir(join(lake, '_leases'))).toEqual([]);
    // While a live claimer holds the claim, others stop.
    await leaveDeadLease(lake);
    const claim2 = await claimOf(lake);
    await mkdir(claim2);
    await writeFile(join(claim2, 'owner'), JSON.stringify({ runId: 'claimer', pid: process.ppid, host: hostname(), since: 'x' }));
    await expect(lease.acquire(HOUR, 'run-b')).rejects.toThrow(/being taken over by another run/);
  });

  it('tells a holder that stalled past its expiry that the hour was taken over', async () => {
    const lake = await tempDir();
    const path = join(lake, '_leases', `${HOUR}.lease`);
    const lease = new LocalPartitionLease(lake, { heartbeatMs: 60_000, expireMs: 60_000 });
    const stalled = await lease.acquire(HOUR, 'run-slow');
    await stalled.assertHeld();
    // Its heartbeat missed: another run finds the lease expired and takes it over.
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const taker = await lease.acquire(HOUR, 'run-new');
    await expect(stalled.assertHeld()).rejects.toThrow(/^hour 2019-06-01T15 was taken over by run run-new \(process \d+ on .+\) while this run stalled; nothing was published$/);
    await stalled.release(); // must not remove the new holder's lease
    await expect(lease.acquire(HOUR, 'run-third')).rejects.toThrow(/by run run-new/);
    await taker.release();
  });
});
