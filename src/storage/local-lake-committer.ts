/**
 * Commits partitions on a local lake by renames. Each run stages under
 * `<lake>/_staging/<run>/`; the commit first writes a journal, then for each partition moves
 * the old folder aside and the new one in. A crash mid-commit is finished by the next run
 * (recover), so an hour is never left half-replaced. Between the two renames of one
 * partition a reader may briefly find the folder absent, never mixed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors/user-error.js';
import type { LakeCommitter, PartitionChange } from '../pipeline/lake-committer.js';

const STAGING = '_staging';
const LOCKS = '_locks';
const JOURNAL = 'commit.json';
const OWNER = 'owner.json';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LocalLakeCommitter implements LakeCommitter {
  /** The hour lock each run of this process holds. */
  private readonly locks = new Map<string, string>();

  constructor(private readonly lakeRoot: string) {}

  private runDir(runId: string): string {
    return join(this.lakeRoot, STAGING, runId);
  }

  stagingDir(runId: string): string {
    return join(this.runDir(runId), 'new');
  }

  scratchDir(runId: string): string {
    return join(this.runDir(runId), 'work');
  }

  async begin(runId: string, hour: string): Promise<void> {
    await this.lockHour(runId, hour);
    await mkdir(this.runDir(runId), { recursive: true });
    await writeFile(join(this.runDir(runId), OWNER), JSON.stringify({ pid: process.pid }));
  }

  /** One run per hour at a time: two concurrent runs would race to swap the same partitions. */
  private async lockHour(runId: string, hour: string): Promise<void> {
    const path = join(this.lakeRoot, LOCKS, `${hour}.lock`);
    await mkdir(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, JSON.stringify({ pid: process.pid, runId }), { flag: 'wx' });
        this.locks.set(runId, path);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readFile(path, 'utf8')
        .then((text) => JSON.parse(text) as { pid: number })
        .catch(() => undefined);
      if (holder && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new UserError(`hour ${hour} is being processed by another run (process ${holder.pid}); wait for it to finish`);
      }
      await rm(path, { force: true }); // left by a run that died: take it over
    }
    throw new UserError(`could not lock hour ${hour} in ${this.lakeRoot}`);
  }

  private async unlockHour(runId: string): Promise<void> {
    const path = this.locks.get(runId);
    if (path === undefined) return;
    this.locks.delete(runId);
    await rm(path, { force: true });
    await rmdir(dirname(path)).catch(() => undefined);
  }

  async commit(runId: string, changes: readonly PartitionChange[]): Promise<void> {
    const journal = join(this.runDir(runId), JOURNAL);
    await writeFile(`${journal}.tmp`, JSON.stringify({ changes }));
    await rename(`${journal}.tmp`, journal);
    await this.apply(runId, changes);
    await this.unlockHour(runId);
  }

  async abort(runId: string): Promise<void> {
    await rm(this.runDir(runId), { recursive: true, force: true });
    await rmdir(join(this.lakeRoot, STAGING)).catch(() => undefined);
    await this.unlockHour(runId);
  }

  async recover(): Promise<void> {
    const root = join(this.lakeRoot, STAGING);
    const runs = await readdir(root).catch(() => [] as string[]);
    for (const runId of runs) {
      const dir = this.runDir(runId);
      const owner = await readFile(join(dir, OWNER), 'utf8').catch(() => undefined);
      const pid = owner === undefined ? undefined : (JSON.parse(owner) as { pid: number }).pid;
      // Another live process is still writing or committing this run: leave it alone.
      if (pid !== undefined && pid !== process.pid && processAlive(pid)) continue;
      const journal = await readFile(join(dir, JOURNAL), 'utf8').catch(() => undefined);
      if (journal !== undefined) await this.apply(runId, (JSON.parse(journal) as { changes: PartitionChange[] }).changes);
      else await rm(dir, { recursive: true, force: true });
    }
  }

  /** Idempotent: safe to run again after a crash at any point. */
  private async apply(runId: string, changes: readonly PartitionChange[]): Promise<void> {
    for (const { partition, staged } of changes) {
      const target = join(this.lakeRoot, partition);
      const fresh = join(this.stagingDir(runId), partition);
      const old = join(this.runDir(runId), 'old', partition);
      if (staged && !existsSync(fresh)) continue; // already moved in
      if (existsSync(target)) {
        await rm(old, { recursive: true, force: true });
        await mkdir(dirname(old), { recursive: true });
        await rename(target, old);
      }
      if (staged) {
        await mkdir(dirname(target), { recursive: true });
        await rename(fresh, target);
      }
    }
    await rm(this.runDir(runId), { recursive: true, force: true });
    // Leave no empty `_staging` behind for readers listing the lake; another run may still use it.
    await rmdir(join(this.lakeRoot, STAGING)).catch(() => undefined);
  }
}
