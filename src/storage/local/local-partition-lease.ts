/**
 * Partition leases on a local lake: `<lake>/_leases/<hour>.lease`, created whole with link()
 * so exactly one of many racing runs gets a free partition. The holder touches the file every
 * `heartbeatMs`; a lease whose holder is gone (its process died, or it stopped touching the
 * file for `expireMs`, which also covers holders on other machines and reused pids) is taken
 * over.
 *
 * Taking over from a dead holder is where naive locks break (read "dead", delete, create: two
 * runs can both delete and create). Here a run first claims the takeover of that particular
 * dead holder: a folder holding the claimer's name, renamed into place (atomic: one winner),
 * checks the lease still names the dead holder, then replaces it with rename. Every other run
 * finds the claim and stops. A claimer that dies inside its claim leaves a claim naming a dead
 * process: the next run claims its successor (`…/next`) the same way, so nothing stays stuck.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { leaseKey } from '../../pipeline/lake-layout.js';
import { LeaseHeldError, LeaseLostError } from '../errors.js';
import type { Lease, LeaseHolder, PartitionLease } from '../partition-lease.js';
import { createExclusive } from './create-exclusive.js';
import { holderAlive, markRunEnded, markRunLive, thisHost } from './process-liveness.js';

export interface LocalLeaseOptions {
  /** How often a holder touches its lease. */
  readonly heartbeatMs?: number;
  /** A lease untouched this long is dead, whatever its process seems to be. */
  readonly expireMs?: number;
  /** Test hook: runs after a dead holder was seen and before the takeover is claimed. */
  readonly beforeTakeover?: () => Promise<void>;
}

interface Observed {
  readonly text: string;
  readonly holder: LeaseHolder | undefined;
  readonly touchedMs: number;
}

/** Claims are held for the few milliseconds of a takeover; an older one is abandoned. */
const CLAIM_EXPIRE_MS = 60_000;
const MAX_CLAIM_DEPTH = 16;

export class LocalPartitionLease implements PartitionLease {
  private readonly heartbeatMs: number;
  private readonly expireMs: number;

  constructor(
    private readonly lakeRoot: string,
    private readonly options: LocalLeaseOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.expireMs = options.expireMs ?? 5 * 60_000;
  }

  async acquire(partitionKey: string, runId: string): Promise<Lease> {
    const path = join(this.lakeRoot, leaseKey(partitionKey));
    await mkdir(dirname(path), { recursive: true });
    const holder: LeaseHolder = { runId, pid: process.pid, host: thisHost, since: new Date().toISOString() };
    const text = `${JSON.stringify(holder)}\n`;
    markRunLive(runId);
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        if (await createExclusive(path, text)) return this.lease(partitionKey, path, holder, text, undefined, undefined);
        const seen = await this.observe(path);
        if (seen === undefined) continue; // released in between: try to create again
        if (this.alive(seen, this.expireMs)) throw new LeaseHeldError(partitionKey, seen.holder);
        await this.options.beforeTakeover?.();
        const claimRoot = `${path}.takeover-${createHash('sha1').update(seen.text).digest('hex').slice(0, 16)}`;
        await this.claim(claimRoot, text, partitionKey);
        const again = await this.observe(path);
        if (again?.text !== seen.text) {
          await rm(claimRoot, { recursive: true, force: true }).catch(() => undefined);
          continue;
        }
        const temp = `${path}.${randomUUID()}.tmp`;
        await writeFile(temp, text);
        await rename(temp, path);
        return this.lease(partitionKey, path, holder, text, claimRoot, seen.holder);
      }
      throw new LeaseHeldError(partitionKey, undefined);
    } catch (err) {
      markRunEnded(runId);
      throw err;
    }
  }

  private alive(seen: Observed, expireMs: number): boolean {
    if (seen.holder === undefined) return false; // unreadable: left half-written by nobody alive
    if (Date.now() - seen.touchedMs > expireMs) return false;
    return holderAlive(seen.holder);
  }

  /**
   * Claims the takeover: a folder with our name in it, renamed onto `dir` (rename fails when a
   * claim with its owner file is there). A claim whose owner died is succeeded by `dir/next`.
   */
  private async claim(root: string, ownerText: string, partitionKey: string): Promise<void> {
    let dir = root;
    for (let depth = 0; depth < MAX_CLAIM_DEPTH; depth++) {
      const temp = join(dirname(root), `.claim-${randomUUID()}`);
      await mkdir(temp);
      await writeFile(join(temp, 'owner'), ownerText);
      try {
        await rename(temp, dir);
        return;
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      const owner = await this.observe(join(dir, 'owner'));
      if (owner !== undefined && this.alive(owner, CLAIM_EXPIRE_MS)) throw new LeaseHeldError(partitionKey, undefined);
      dir = join(dir, 'next');
    }
    throw new LeaseHeldError(partitionKey, undefined);
  }

  /** The file's content and when it was last touched; undefined when it is not there. */
  private async observe(path: string): Promise<Observed | undefined> {
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      let holder: LeaseHolder | undefined;
      try {
        holder = JSON.parse(text) as LeaseHolder;
      } catch {
        holder = undefined;
      }
      return { text, holder, touchedMs: info.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  private lease(
    partitionKey: string,
    path: string,
    holder: LeaseHolder,
    text: string,
    claimRoot: string | undefined,
    tookOverFrom: LeaseHolder | undefined,
  ): Lease {
    let released = false;
    const heartbeat = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    }, this.heartbeatMs);
    heartbeat.unref();
    return {
      partitionKey,
      holder,
      ...(tookOverFrom ? { tookOverFrom } : {}),
      assertHeld: async () => {
        const current = await this.observe(path);
        if (current?.text !== text) throw new LeaseLostError(partitionKey, current?.holder);
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        // Only ever delete our own lease.
        const current = await this.observe(path);
        if (current?.text === text) await rm(path, { force: true });
        if (claimRoot !== undefined) await rm(claimRoot, { recursive: true, force: true }).catch(() => undefined);
        await this.sweepClaims(path);
        markRunEnded(holder.runId);
      },
    };
  }

  /**
   * Claims left by takeovers that died or lost their verification, once the hour is free, and
   * half-made claim folders and lease files of runs killed while making them.
   */
  private async sweepClaims(path: string): Promise<void> {
    const dir = dirname(path);
    const entries = await readdir(dir).catch(() => [] as string[]);
    const free = (await this.observe(path)) === undefined;
    const stale = async (name: string): Promise<boolean> => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      return info !== undefined && Date.now() - info.mtimeMs > CLAIM_EXPIRE_MS;
    };
    for (const name of entries) {
      const leftover =
        (free && name.startsWith(`${basename(path)}.takeover-`)) ||
        ((name.startsWith('.claim-') || name.endsWith('.tmp')) && (await stale(name)));
      if (leftover) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
