/**
 * Publishes partitions on a local lake by renames. Parts are first moved into
 * `<lake>/_staging/<run>/new/`, then a journal is written, then each partition folder is swapped:
 * the old one moved aside, the new one in. A crash after the journal is finished by the next
 * run of the hour (recover); a crash before it leaves only staging to clear. Between the two
 * renames of one partition a reader may briefly find the folder absent, never mixed.
 *
 * A journal whose staged folders are gone (staging removed by hand, a cleaner) cannot be finished:
 * recover rolls it back instead, putting back the partitions it had moved aside, and says so. The
 * hour's publication record (beside its lease) keeps the publishing run's plan order: a plan older
 * than it is refused, by publish and by recover alike.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crashPoint } from '../../pipeline/fail-points.js';
import {
  isRunOfHour,
  partitionKeyOfRun,
  publicationRecordKey,
  publishJournal,
  replacedPartition,
  runArea,
  stagedPartition,
  stagingRoot,
} from '../../pipeline/lake-layout.js';
import { UserError } from '../../errors/user-error.js';
import { PublishOrderError } from '../errors.js';
import { isOlderPlan } from '../plan-order.js';
import type { PartitionParts, PlanOrder, PublishedPartition, Publisher, Recovered } from '../publisher.js';

interface Journal {
  /** The plan's order (PlanOrder); absent in journals of runs that gave none, or written before it was kept. */
  readonly plannedAt?: string;
  /**
   * Partitions in publishing order, and whether the run has new parts for each, with the staged
   * folder's inode (absent in older journals): a rename keeps it, so a partition already moved in
   * is told apart from one whose staging is gone.
   */
  readonly changes: readonly { partition: string; staged: boolean; inode?: string }[];
  /**
   * Written once a rollback is decided, before anything is put back: the partitions this run had
   * moved in where the hour had none, to remove. A rollback cut short goes on from it.
   */
  readonly rollBack?: { readonly remove: readonly string[]; readonly reason: string };
}

/** The hour's current publish: which run, and its plan's order. */
interface Publication {
  readonly runId: string;
  readonly plannedAt: string;
}

/** Moves a file, copying when it lives on another file system. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Writes a small file whole: readers see the old content or the new. */
async function writeWhole(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export class LocalPublisher implements Publisher {
  constructor(private readonly lakeRoot: string) {}

  private path(key: string): string {
    return join(this.lakeRoot, key);
  }

  async publish(runId: string, partitions: readonly PartitionParts[], plan?: PlanOrder): Promise<PublishedPartition[]> {
    const partitionKey = partitionKeyOfRun(runId);
    // Checked before anything moves: a refused run leaves the lake and its scratch as they were.
    const current = await this.publication(partitionKey);
    if (plan && current && current.runId !== runId && isOlderPlan(plan, current)) {
      throw new PublishOrderError(runId, partitionKey, plan.plannedAt, current);
    }
    const published: PublishedPartition[] = [];
    for (const { partition, parts } of partitions) {
      const dir = this.path(stagedPartition(runId, partition));
      await rm(dir, { recursive: true, force: true });
      if (parts.length > 0) await mkdir(dir, { recursive: true });
      for (const part of parts) await moveFile(part.file, join(dir, part.name));
      published.push({ partition, files: parts.map((p) => ({ key: `${partition}/${p.name}`, rows: p.rows, bytes: p.bytes })) });
    }
    const changes: Journal['changes'][number][] = [];
    for (const { partition, parts } of partitions) {
      if (parts.length === 0) changes.push({ partition, staged: false });
      else changes.push({ partition, staged: true, inode: String((await stat(this.path(stagedPartition(runId, partition)), { bigint: true })).ino) });
    }
    const journal: Journal = { ...(plan ? { plannedAt: plan.plannedAt } : {}), changes };
    await writeWhole(this.path(publishJournal(runId)), JSON.stringify(journal));
    crashPoint('after-journal');
    const applied = await this.apply(runId, journal);
    if (applied.outcome !== 'finished') throw new UserError(applied.message);
    return published;
  }

  async abandon(runId: string): Promise<void> {
    await rm(this.path(runArea(runId)), { recursive: true, force: true });
    await this.removeEmptyStaging();
  }

  async recover(partitionKey: string, keep?: string): Promise<Recovered[]> {
    const recovered: Recovered[] = [];
    const runs = await readdir(this.path(stagingRoot)).catch(() => [] as string[]);
    for (const runId of runs.filter((r) => isRunOfHour(r, partitionKey))) {
      const text = await readFile(this.path(publishJournal(runId)), 'utf8').catch(() => undefined);
      if (text === undefined && runId === keep) continue;
      if (text === undefined) {
        await this.abandon(runId);
        recovered.push({ runId, outcome: 'abandoned', message: `run ${runId} never committed its publish of hour ${partitionKey}; its staging was cleared` });
      } else recovered.push(await this.apply(runId, this.parseJournal(runId, text)));
    }
    return recovered;
  }

  private parseJournal(runId: string, text: string): Journal {
    try {
      const journal = JSON.parse(text) as Journal;
      if (Array.isArray(journal.changes)) return journal;
    } catch {
      // said below
    }
    throw new UserError(
      `the publish journal ${this.path(publishJournal(runId))} is not one eventlake wrote; delete ${this.path(runArea(runId))} to drop that run's publish`,
    );
  }

  /** The hour's publication record, when its publish gave a plan order. */
  private async publication(partitionKey: string): Promise<Publication | undefined> {
    const text = await readFile(this.path(publicationRecordKey(partitionKey)), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as Partial<Publication>;
      if (typeof record.runId === 'string' && typeof record.plannedAt === 'string') return { runId: record.runId, plannedAt: record.plannedAt };
    } catch {
      // unreadable: no order known
    }
    return undefined;
  }

  /** Whether the change's staged folder was moved in: the partition folder is that very folder. */
  private async movedIn(runId: string, change: Journal['changes'][number]): Promise<boolean> {
    if (!change.staged || existsSync(this.path(stagedPartition(runId, change.partition)))) return false;
    if (change.inode === undefined) return existsSync(this.path(change.partition)); // an older journal: as before
    const info = await stat(this.path(change.partition), { bigint: true }).catch(() => undefined);
    return info !== undefined && String(info.ino) === change.inode;
  }

  /**
   * Idempotent: safe to run again after a crash at any point. Finishes the journal's publish, or
   * rolls it back when it cannot be finished (a staged folder gone, a newer plan published since).
   */
  private async apply(runId: string, journal: Journal): Promise<Recovered> {
    const partitionKey = partitionKeyOfRun(runId);
    const rolledBack = async (reason: string): Promise<Recovered> => ({
      runId,
      outcome: 'rolled-back',
      message: `run ${runId}'s interrupted publish of hour ${partitionKey} was rolled back, not finished: ${await this.rollBack(runId, journal, reason)}`,
    });
    if (journal.rollBack) return rolledBack(journal.rollBack.reason);
    const current = await this.publication(partitionKey);
    if (journal.plannedAt !== undefined && current && current.runId !== runId && isOlderPlan({ plannedAt: journal.plannedAt }, current)) {
      return rolledBack(`its plan (${journal.plannedAt}) is older than that of run ${current.runId} (${current.plannedAt}), whose publish the lake holds`);
    }
    const gone: string[] = [];
    for (const change of journal.changes) {
      if (change.staged && !existsSync(this.path(stagedPartition(runId, change.partition))) && !(await this.movedIn(runId, change))) gone.push(change.partition);
    }
    if (gone.length > 0) {
      return rolledBack(`the staged parts of ${gone.join(', ')} are gone, so the partitions it had replaced were put back and the hour is run again from its sources`);
    }
    for (const [i, { partition, staged }] of journal.changes.entries()) {
      const target = this.path(partition);
      const fresh = this.path(stagedPartition(runId, partition));
      const old = this.path(replacedPartition(runId, partition));
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
      if (i === 0) crashPoint('between-renames');
    }
    // The record after the swap, before the journal goes: a crash in between applies the journal again.
    const record = this.path(publicationRecordKey(partitionKey));
    if (journal.plannedAt === undefined) await rm(record, { force: true });
    else await writeWhole(record, JSON.stringify({ runId, plannedAt: journal.plannedAt } satisfies Publication));
    await this.abandon(runId);
    return { runId, outcome: 'finished', message: `run ${runId}'s publish of hour ${partitionKey} was finished from its journal` };
  }

  /**
   * Puts back every partition the journal had moved aside, removes those it had moved in where the
   * hour had none, then drops the run's staging. What to remove is decided once and written into
   * the journal first: after a partition is put back it could look moved in.
   */
  private async rollBack(runId: string, journal: Journal, reason: string): Promise<string> {
    let decided = journal.rollBack;
    if (decided === undefined) {
      const remove: string[] = [];
      for (const change of journal.changes) {
        if ((await this.movedIn(runId, change)) && !existsSync(this.path(replacedPartition(runId, change.partition)))) remove.push(change.partition);
      }
      decided = { remove, reason };
      await writeWhole(this.path(publishJournal(runId)), JSON.stringify({ ...journal, rollBack: decided } satisfies Journal));
    }
    for (const { partition } of journal.changes) {
      const target = this.path(partition);
      const old = this.path(replacedPartition(runId, partition));
      if (existsSync(old)) {
        await rm(target, { recursive: true, force: true });
        await rename(old, target);
      } else if (decided.remove.includes(partition)) {
        await rm(target, { recursive: true, force: true });
      }
    }
    await this.abandon(runId);
    return decided.reason;
  }

  /** Leaves no empty `_staging` behind for readers listing the lake; another run may still use it. */
  private async removeEmptyStaging(): Promise<void> {
    await rmdir(this.path(stagingRoot)).catch(() => undefined);
  }
}
