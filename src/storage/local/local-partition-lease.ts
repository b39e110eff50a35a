/**
 * Partition leases on a local lake: `<lake>/_leases/<hour>.lease`, created whole with link()
 * so exactly one of many racing runs gets a free partition.
 *
 * Taking over from a dead holder is where naive locks break (read "dead", delete, create: two
 * runs can both delete and create). Here a run first claims the takeover of that particular
 * dead holder with mkdir (atomic: one winner), checks the lease still names the dead holder,
 * then replaces it with rename. Every other run loses the mkdir and stops.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { leaseKey } from '../../pipeline/lake-layout.js';
import { LeaseHeldError } from '../errors.js';
import type { Lease, LeaseHolder, PartitionLease } from '../partition-lease.js';
import { createExclusive } from './create-exclusive.js';
import { holderAlive, markRunEnded, markRunLive, thisHost } from './process-liveness.js';

export interface LocalLeaseHooks {
  /** Test hook: runs after a dead holder was seen and before the takeover is claimed. */
  readonly beforeTakeover?: () => Promise<void>;
}

interface Observed {
  readonly text: string;
  readonly holder: LeaseHolder | undefined;
}

export class LocalPartitionLease implements PartitionLease {
  constructor(
    private readonly lakeRoot: string,
    private readonly hooks: LocalLeaseHooks = {},
  ) {}

  async acquire(partitionKey: string, runId: string): Promise<Lease> {
    const path = join(this.lakeRoot, leaseKey(partitionKey));
    await mkdir(dirname(path), { recursive: true });
    const holder: LeaseHolder = { runId, pid: process.pid, host: thisHost, since: new Date().toISOString() };
    const text = `${JSON.stringify(holder)}\n`;
    markRunLive(runId);
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        if (await createExclusive(path, text)) return this.lease(partitionKey, path, holder, text, undefined);
        const seen = await this.observe(path);
        if (seen === undefined) continue; // released in between: try to create again
        if (seen.holder && holderAlive(seen.holder)) throw new LeaseHeldError(partitionKey, seen.holder);
        await this.hooks.beforeTakeover?.();
        const claim = `${path}.takeover-${createHash('sha1').update(seen.text).digest('hex').slice(0, 16)}`;
        try {
          await mkdir(claim);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LeaseHeldError(partitionKey, undefined);
          throw err;
        }
        const again = await this.observe(path);
        if (again?.text !== seen.text) {
          await rmdir(claim).catch(() => undefined);
          continue;
        }
        const temp = `${path}.${randomUUID()}.tmp`;
        await writeFile(temp, text);
        await rename(temp, path);
        return this.lease(partitionKey, path, holder, text, claim);
      }
      throw new LeaseHeldError(partitionKey, undefined);
    } catch (err) {
      markRunEnded(runId);
      throw err;
    }
  }

  /** The lease's content; an unreadable one counts as left by a dead holder. */
  private async observe(path: string): Promise<Observed | undefined> {
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return undefined;
    try {
      return { text, holder: JSON.parse(text) as LeaseHolder };
    } catch {
      return { text, holder: undefined };
    }
  }

  private lease(partitionKey: string, path: string, holder: LeaseHolder, text: string, claim: string | undefined): Lease {
    let released = false;
    return {
      partitionKey,
      holder,
      release: async () => {
        if (released) return;
        released = true;
        // Only ever delete our own lease.
        const current = await this.observe(path);
        if (current?.text === text) await rm(path, { force: true });
        if (claim !== undefined) await rmdir(claim).catch(() => undefined);
        await this.sweepClaims(path);
        markRunEnded(holder.runId);
      },
    };
  }

  /** Claims left by takeovers that lost their verification race. */
  private async sweepClaims(path: string): Promise<void> {
    if ((await this.observe(path)) !== undefined) return;
    const prefix = `${basename(path)}.takeover-`;
    const entries = await readdir(dirname(path)).catch(() => [] as string[]);
    await Promise.all(entries.filter((e) => e.startsWith(prefix)).map((e) => rmdir(join(dirname(path), e)).catch(() => undefined)));
  }
}
