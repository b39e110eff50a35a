/**
 * Publishes partitions on an object store, which has no rename. Parts are uploaded to the run's
 * staging, then a journal naming every partition and part is written: the commit point. Then
 * each staged part is copied onto its final key (deterministic names, each copy atomic), keys
 * of the partition the run did not write are deleted, and the hour's manifest is written last;
 * readers that follow it never see a mix (see hour-manifest.ts). A crash after the journal is
 * finished by the hour's next run (recover), which applies the journal again: every step is
 * idempotent because staging is cleared only at the very end, the journal last of all.
 *
 * A journal can be applied only while its staged parts are there. A bucket expires staging (a
 * lifecycle rule, so abandoned runs cost nothing), and a journal found after that would fail on
 * every later run; recover checks the parts first and, when any is gone, rolls the journal back:
 * drops it and its staging, and says so, so that the hour's run goes on from its sources.
 *
 * The journal and the hour manifest carry the plan's order (PlanOrder): a plan older than the
 * one the hour's manifest names is refused, by publish and by recover alike.
 */
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors/user-error.js';
import { crashPoint } from '../../pipeline/fail-points.js';
import { isRunOfHour, partitionKeyOfRun, publishJournal, runArea, stagedPartition, stagingRoot } from '../../pipeline/lake-layout.js';
import type { ObjectStore } from '../object-store.js';
import { PublishOrderError } from '../errors.js';
import { HOUR_MANIFEST_VERSION, readHourManifest, writeHourManifest, type HourManifest, type ManifestPartition } from '../hour-manifest.js';
import { isOlderPlan } from '../plan-order.js';
import type { PartitionParts, PlanOrder, PublishedPartition, Publisher, Recovered } from '../publisher.js';

const DELETE_CONCURRENCY = 16;

interface Journal {
  readonly version: 1;
  /** The plan's order (PlanOrder); absent in journals of runs that gave none. */
  readonly plannedAt?: string;
  /** Every partition of the run in publishing order, with the parts it now has (none: emptied). */
  readonly partitions: readonly { partition: string; parts: readonly { name: string; rows: number; bytes: number }[] }[];
}

const count = z.number().int().nonnegative();
const journalSchema = z.object({
  version: z.literal(1),
  plannedAt: z.iso.datetime().optional(),
  partitions: z.array(
    z.object({
      partition: z.string().min(1),
      parts: z.array(z.object({ name: z.string().regex(/^[^/]+$/), rows: count, bytes: count })),
    }),
  ),
});

export interface S3PublisherOptions {
  /**
   * The local folder the runs' scratch spaces are in (scratchDir is `<this>/<runScratch>`): a
   * run's is removed with its staging, as on a local lake.
   */
  readonly scratchRoot?: string;
  /** The clock of publishedAt and swapMs; tests inject one. */
  readonly now?: () => number;
}

export class S3Publisher implements Publisher {
  private readonly now: () => number;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: S3PublisherOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async publish(runId: string, partitions: readonly PartitionParts[], plan?: PlanOrder): Promise<PublishedPartition[]> {
    const partitionKey = partitionKeyOfRun(runId);
    // Checked before anything is uploaded: a refused run leaves the lake and staging as they were.
    const current = await readHourManifest(this.store, partitionKey);
    if (plan && current?.runId !== runId) this.assertNotOlder(runId, plan.plannedAt, current);
    for (const { partition, parts } of partitions) {
      for (const part of parts) {
        await this.store.write(`${stagedPartition(runId, partition)}/${part.name}`, createReadStream(part.file));
        await rm(part.file, { force: true }); // publishing consumes it; it is in staging now
      }
    }
    const journal: Journal = {
      version: 1,
      ...(plan ? { plannedAt: plan.plannedAt } : {}),
      partitions: partitions.map(({ partition, parts }) => ({
        partition,
        parts: parts.map(({ name, rows, bytes }) => ({ name, rows, bytes })),
      })),
    };
    await this.store.write(publishJournal(runId), Buffer.from(JSON.stringify(journal)));
    crashPoint('after-journal');
    const applied = await this.apply(runId, journal);
    if (applied.outcome !== 'finished') throw new UserError(applied.message);
    return journal.partitions.map(({ partition, parts }) => ({
      partition,
      files: parts.map((p) => ({ key: `${partition}/${p.name}`, rows: p.rows, bytes: p.bytes })),
    }));
  }

  /** Throws PublishOrderError when the hour's current publication is of a newer plan. */
  private assertNotOlder(runId: string, plannedAt: string, current: HourManifest | undefined): void {
    if (current?.plannedAt !== undefined && isOlderPlan({ plannedAt }, { plannedAt: current.plannedAt })) {
      throw new PublishOrderError(runId, current.partitionKey, plannedAt, { runId: current.runId, plannedAt: current.plannedAt });
    }
  }

  async abandon(runId: string): Promise<void> {
    await this.deleteAll(`${runArea(runId)}/`);
    await this.removeLocalScratch(runId);
  }

  async recover(partitionKey: string, keep?: string): Promise<Recovered[]> {
    const recovered: Recovered[] = [];
    for (const runId of await this.stagedRuns(partitionKey)) {
      const journal = await this.readJournal(runId);
      if (journal) recovered.push(await this.apply(runId, journal));
      else if (runId !== keep) {
        await this.abandon(runId);
        recovered.push({ runId, outcome: 'abandoned', message: `run ${runId} never committed its publish of hour ${partitionKey}; its staging was cleared` });
      }
    }
    return recovered;
  }

  /**
   * The runs of the hour with anything in staging, or in scratch on this machine (a run that died
   * before uploading a part); runs are named `<hour>-<suffix>`.
   */
  private async stagedRuns(partitionKey: string): Promise<string[]> {
    const runs = new Set<string>();
    const root = `${stagingRoot}/`;
    for await (const { key } of this.store.list(`${root}${partitionKey}-`)) runs.add(key.slice(root.length, key.indexOf('/', root.length)));
    const { scratchRoot } = this.options;
    if (scratchRoot !== undefined) for (const name of await readdir(join(scratchRoot, stagingRoot)).catch(() => [])) runs.add(name);
    return [...runs].filter((runId) => isRunOfHour(runId, partitionKey)).sort();
  }

  private async readJournal(runId: string): Promise<Journal | undefined> {
    const found = await this.store.readVersion(publishJournal(runId));
    if (!found) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(found.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = journalSchema.safeParse(json);
    if (!parsed.success) {
      throw new UserError(
        `the publish journal ${publishJournal(runId)} in ${this.store.location} is not one eventlake wrote; delete ${runArea(runId)}/ there to drop that run's publish`,
      );
    }
    return parsed.data as Journal;
  }

  /**
   * Idempotent: safe to run again after a crash at any point. Finishes the journal's publish, or
   * rolls it back (drops it and the run's staging) when it cannot be finished: some staged part
   * is gone, or the hour holds a newer plan's publish.
   */
  private async apply(runId: string, journal: Journal): Promise<Recovered> {
    const partitionKey = partitionKeyOfRun(runId);
    const current = await readHourManifest(this.store, partitionKey);
    // Its manifest is there: only the clearing of staging was cut short (its parts may be gone).
    if (current?.runId !== runId) {
      if (journal.plannedAt !== undefined && current?.plannedAt !== undefined && isOlderPlan({ plannedAt: journal.plannedAt }, { plannedAt: current.plannedAt })) {
        await this.rollBack(runId);
        return {
          runId,
          outcome: 'rolled-back',
          message: `run ${runId}'s interrupted publish of hour ${partitionKey} was rolled back, not finished: its plan (${journal.plannedAt}) is older than that of run ${current.runId} (${current.plannedAt}), whose publish the lake holds`,
        };
      }
      const missing = await this.missingParts(runId, journal);
      if (missing.length > 0) {
        const total = journal.partitions.reduce((n, p) => n + p.parts.length, 0);
        const touched = await this.touchedSince(journal, current);
        await this.rollBack(runId);
        const lake = touched
          ? `some of the hour's files were already replaced, so readers of its manifest wait until the hour's next publish`
          : current
            ? `the lake still holds run ${current.runId}'s publish of the hour`
            : 'the hour stays unpublished';
        return {
          runId,
          outcome: 'rolled-back',
          message: `run ${runId}'s interrupted publish of hour ${partitionKey} was rolled back, not finished: ${missing.length} of its ${total} staged parts are gone (${missing[0]}${missing.length > 1 ? ', …' : ''}; staging expires), so the hour is run again from its sources; until then ${lake}`,
        };
      }
      let swapStart: number | undefined;
      let swapEnd: number | undefined;
      const manifestPartitions: ManifestPartition[] = [];
      for (const [i, { partition, parts }] of journal.partitions.entries()) {
        const wanted = new Set(parts.map((p) => `${partition}/${p.name}`));
        const extras: string[] = [];
        for await (const { key } of this.store.list(`${partition}/`)) if (!wanted.has(key)) extras.push(key);
        if (parts.length + extras.length > 0) swapStart ??= this.now();
        const files = await Promise.all(
          parts.map(async (p) => {
            const key = `${partition}/${p.name}`;
            const etag = await this.store.copy(`${stagedPartition(runId, partition)}/${p.name}`, key);
            return { key, rows: p.rows, bytes: p.bytes, etag };
          }),
        );
        await Promise.all(extras.map((key) => this.store.delete(key)));
        if (parts.length + extras.length > 0) swapEnd = this.now();
        manifestPartitions.push({ partition, files });
        if (i === 0) crashPoint('between-renames');
      }
      await writeHourManifest(this.store, {
        version: HOUR_MANIFEST_VERSION,
        partitionKey,
        runId,
        ...(journal.plannedAt === undefined ? {} : { plannedAt: journal.plannedAt }),
        publishedAt: new Date(this.now()).toISOString(),
        swapMs: swapStart === undefined || swapEnd === undefined ? 0 : swapEnd - swapStart,
        partitions: manifestPartitions,
      });
    }
    // The journal goes last: staging without a journal is always of a run that never committed.
    await this.rollBack(runId);
    return { runId, outcome: 'finished', message: `run ${runId}'s publish of hour ${partitionKey} was finished from its journal` };
  }

  /** The journal's staged parts that are not in staging (any more), as keys. */
  private async missingParts(runId: string, journal: Journal): Promise<string[]> {
    const staged = new Set<string>();
    for await (const { key } of this.store.list(`${runArea(runId)}/new/`)) staged.add(key);
    return journal.partitions.flatMap(({ partition, parts }) => parts.map((p) => `${stagedPartition(runId, partition)}/${p.name}`)).filter((key) => !staged.has(key));
  }

  /** Whether any of the journal's partitions no longer matches the hour's manifest (the swap had begun). */
  private async touchedSince(journal: Journal, current: HourManifest | undefined): Promise<boolean> {
    const listed = new Map((current?.partitions ?? []).flatMap((p) => p.files.map((f) => [f.key, f.etag] as const)));
    for (const { partition } of journal.partitions) {
      const named = (current?.partitions.find((p) => p.partition === partition)?.files ?? []).map((f) => f.key);
      const found = new Set<string>();
      for await (const { key, etag } of this.store.list(`${partition}/`)) {
        if (listed.get(key) !== etag) return true;
        found.add(key);
      }
      if (named.some((key) => !found.has(key))) return true;
    }
    return false;
  }

  /** Drops the run's staging and scratch, its journal last of all. */
  private async rollBack(runId: string): Promise<void> {
    await this.deleteAll(`${runArea(runId)}/`, publishJournal(runId));
    await this.store.delete(publishJournal(runId));
    await this.removeLocalScratch(runId);
  }

  private async deleteAll(prefix: string, except?: string): Promise<void> {
    const keys: string[] = [];
    for await (const { key } of this.store.list(prefix)) if (key !== except) keys.push(key);
    // A run's staging holds every task's outputs: one request per key, a few at a time.
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
      await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((key) => this.store.delete(key)));
    }
  }

  private async removeLocalScratch(runId: string): Promise<void> {
    if (this.options.scratchRoot !== undefined) await rm(join(this.options.scratchRoot, runArea(runId)), { recursive: true, force: true });
  }
}
