/**
 * Publishes partitions on a local lake by renames. Parts are first moved into
 * `<lake>/_staging/<run>/new/`, then a journal is written, then each partition folder is swapped:
 * the old one moved aside, the new one in. A crash after the journal is finished by the next
 * run of the hour (recover); a crash before it leaves only staging to clear. Between the two
 * renames of one partition a reader may briefly find the folder absent, never mixed.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crashPoint } from '../../pipeline/fail-points.js';
import {
  isRunOfHour,
  publishJournal,
  replacedPartition,
  runArea,
  stagedPartition,
  stagingRoot,
} from '../../pipeline/lake-layout.js';
import type { PartitionParts, PublishedPartition, Publisher } from '../publisher.js';

interface Journal {
  /** Partitions in publishing order, and whether the run has new parts for each. */
  readonly changes: readonly { partition: string; staged: boolean }[];
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

export class LocalPublisher implements Publisher {
  constructor(private readonly lakeRoot: string) {}

  private path(key: string): string {
    return join(this.lakeRoot, key);
  }

  async publish(runId: string, partitions: readonly PartitionParts[]): Promise<PublishedPartition[]> {
    const published: PublishedPartition[] = [];
    for (const { partition, parts } of partitions) {
      const dir = this.path(stagedPartition(runId, partition));
      await rm(dir, { recursive: true, force: true });
      if (parts.length > 0) await mkdir(dir, { recursive: true });
      for (const part of parts) await moveFile(part.file, join(dir, part.name));
      published.push({ partition, files: parts.map((p) => ({ key: `${partition}/${p.name}`, rows: p.rows, bytes: p.bytes })) });
    }
    const journal: Journal = { changes: partitions.map((p) => ({ partition: p.partition, staged: p.parts.length > 0 })) };
    const journalPath = this.path(publishJournal(runId));
    await writeFile(`${journalPath}.tmp`, JSON.stringify(journal));
    await rename(`${journalPath}.tmp`, journalPath);
    crashPoint('after-journal');
    await this.apply(runId, journal);
    return published;
  }

  async abandon(runId: string): Promise<void> {
    await rm(this.path(runArea(runId)), { recursive: true, force: true });
    await this.removeEmptyStaging();
  }

  async recover(partitionKey: string, keep?: string): Promise<void> {
    const runs = await readdir(this.path(stagingRoot)).catch(() => [] as string[]);
    for (const runId of runs.filter((r) => isRunOfHour(r, partitionKey))) {
      const text = await readFile(this.path(publishJournal(runId)), 'utf8').catch(() => undefined);
      if (text === undefined && runId === keep) continue;
      if (text === undefined) await this.abandon(runId);
      else await this.apply(runId, JSON.parse(text) as Journal);
    }
  }

  /** Idempotent: safe to run again after a crash at any point. */
  private async apply(runId: string, journal: Journal): Promise<void> {
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
    await this.abandon(runId);
  }

  /** Leaves no empty `_staging` behind for readers listing the lake; another run may still use it. */
  private async removeEmptyStaging(): Promise<void> {
    await rmdir(this.path(stagingRoot)).catch(() => undefined);
  }
}
