/**
 * The hour's close, in the cloud: once every task of a run has its done marker, one invocation
 * merges the tasks' outputs into the final parts (at most one file per entity per target size,
 * 128 MB by default), publishes them and records the run's end in the lake.
 *
 * Exactly one close per run, even when the last two tasks finish together: the closer is whoever
 * creates the run's close claim (a conditional create, `If-None-Match: *` on S3). A claim whose
 * closer died (its expiry passed: a Lambda is killed at its timeout) is taken over with
 * `If-Match` on the claim's etag, so again one winner.
 */
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { EntityRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { readLakeRun, writeLakeRun, type LakeRunRecord } from '../../orchestration/lake-run-records.js';
import type { RunSummary } from '../../orchestration/run-store.js';
import { finishPartitions } from '../../pipeline/finish-partitions.js';
import { closeClaimKey, QUARANTINE, tableOf } from '../../pipeline/lake-layout.js';
import { readHourManifest } from '../../storage/hour-manifest.js';
import type { LakeStorage } from '../../storage/lake-storage.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { downloadTaskOutputs } from './staged-task-outputs.js';

interface CloseClaim {
  readonly by: string;
  readonly at: string;
  readonly expiresAt: string;
}

export interface CloseDeps {
  /** The lake as objects (claims, markers, records) and as a lake (lease, publisher). */
  readonly lakeStore: ObjectStore;
  readonly lake: LakeStorage;
  readonly registry: EntityRegistry;
  /** Local scratch space for downloading and finishing. */
  readonly scratchDir: string;
  /** Who is closing, for the claim (a Lambda request id). */
  readonly closer: string;
  /** How long a claim stands before another invocation may take it over. */
  readonly claimMs: number;
  readonly now?: () => number;
}

export type CloseOutcome = { readonly closed: true; readonly summary: RunSummary } | { readonly closed: false; readonly reason: string };

/** Creates the claim, or takes over an expired one; false when a live closer holds it. */
async function claimClose(deps: CloseDeps, runId: string): Promise<string | undefined> {
  const now = deps.now?.() ?? Date.now();
  const claim: CloseClaim = { by: `${deps.closer}@${hostname()}`, at: new Date(now).toISOString(), expiresAt: new Date(now + deps.claimMs).toISOString() };
  const body = Buffer.from(JSON.stringify(claim));
  const key = closeClaimKey(runId);
  if (await deps.lakeStore.createIfAbsent(key, body)) return claim.by;
  const current = await deps.lakeStore.readVersion(key);
  if (!current) return (await deps.lakeStore.createIfAbsent(key, body)) ? claim.by : undefined;
  const held = JSON.parse(current.body.toString('utf8')) as CloseClaim;
  if (Date.parse(held.expiresAt) > now) return undefined;
  return (await deps.lakeStore.replaceIfMatch(key, body, current.etag)) ? claim.by : undefined;
}

/**
 * The run's summary as its hour manifest tells it, when the hour's current publish is this run's:
 * what a close that died after publishing (before recording the end) still owes.
 */
export async function publishedByRun(lakeStore: ObjectStore, record: LakeRunRecord): Promise<RunSummary | undefined> {
  const published = await readHourManifest(lakeStore, record.hour);
  if (published?.runId !== record.runId) return undefined;
  const events: Record<string, number> = {};
  let quarantined = 0;
  const outputs: RunSummary['outputs'][number][] = [];
  for (const { partition, files } of published.partitions) {
    const entity = tableOf(partition);
    for (const file of files) {
      if (entity === QUARANTINE) quarantined += file.rows;
      else {
        events[entity] = (events[entity] ?? 0) + file.rows;
        outputs.push({ key: file.key, entity, rows: file.rows, bytes: file.bytes });
      }
    }
  }
  const lines = Object.values(events).reduce((n, c) => n + c, 0) + quarantined;
  return {
    objects: record.manifest.objects,
    bytes: record.manifest.bytes,
    skipped: record.manifest.skipped.length,
    events,
    quarantined,
    outputs,
    seconds: (Date.parse(published.publishedAt) - Date.parse(record.queuedAt)) / 1000,
    quarantinedShare: lines === 0 ? 0 : quarantined / lines,
  };
}

export async function closeHour(record: LakeRunRecord, deps: CloseDeps): Promise<CloseOutcome> {
  const { manifest } = record;
  const runId = record.runId;
  if (!(await claimClose(deps, runId))) return { closed: false, reason: 'another invocation is closing the hour' };
  try {
    const lease = await deps.lake.lease.acquire(record.hour, runId);
    try {
      // The run may have ended since the worker read it: replaced by a newer fan-out of the hour
      // (which the lease now orders after this close, if it closes at all) or closed already.
      const current = await readLakeRun(deps.lakeStore, record.hour, runId);
      if (current?.status !== 'queued') {
        await deps.lakeStore.delete(closeClaimKey(runId));
        return { closed: false, reason: `run ${runId} has ended (${current?.status ?? 'no record'}); not closing it` };
      }
      // Finishes a publish of the hour a crash interrupted; keeps this run's own staging.
      await deps.lake.publisher.recover(record.hour, runId);
      // That publish may have been this run's own (its close failed after the journal): done, then.
      const recovered = await publishedByRun(deps.lakeStore, record);
      if (recovered) {
        await writeLakeRun(deps.lakeStore, { ...record, status: 'success', finishedAt: new Date().toISOString(), summary: recovered });
        return { closed: true, summary: recovered };
      }
      const outputs = await downloadTaskOutputs(deps.lakeStore, runId, deps.scratchDir);
      const done = new Set(outputs.map((o) => o.taskId));
      const missing = manifest.tasks.filter((t) => !done.has(t.id)).map((t) => t.id);
      if (missing.length > 0) throw new Error(`run ${runId} cannot close: tasks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} have no outputs`);
      const format = await loadLakeFormat(manifest.format);
      const finished = await finishPartitions(manifest, outputs, { registry: deps.registry, format, scratchDir: deps.scratchDir });
      await lease.assertHeld();
      const published = await deps.lake.publisher.publish(runId, finished.partitions);
      const rows = Object.values(finished.events).reduce((n, c) => n + c, 0);
      const lines = rows + finished.quarantined;
      const summary: RunSummary = {
        objects: manifest.objects,
        bytes: manifest.bytes,
        skipped: manifest.skipped.length,
        events: finished.events,
        quarantined: finished.quarantined,
        outputs: published.flatMap((p) => p.files.map((f) => ({ key: f.key, entity: tableOf(p.partition), rows: f.rows, bytes: f.bytes }))),
        seconds: ((deps.now?.() ?? Date.now()) - Date.parse(record.queuedAt)) / 1000,
        quarantinedShare: lines === 0 ? 0 : finished.quarantined / lines,
      };
      // Replaced while it published (the lease made the newer run's close wait): the record keeps saying so.
      if ((await readLakeRun(deps.lakeStore, record.hour, runId))?.status === 'queued') {
        await writeLakeRun(deps.lakeStore, { ...record, status: 'success', finishedAt: new Date().toISOString(), summary });
      }
      return { closed: true, summary };
    } finally {
      await lease.release();
    }
  } catch (err) {
    // Gives the claim back at once, so the message's retry closes the hour without waiting for its expiry.
    await deps.lakeStore.delete(closeClaimKey(runId)).catch(() => undefined);
    throw err;
  } finally {
    await rm(deps.scratchDir, { recursive: true, force: true });
  }
}
