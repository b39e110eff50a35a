/** Leases on a local lake: one holder per hour, atomic takeover from a dead holder. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
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
});
