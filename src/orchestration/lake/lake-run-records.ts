/**
 * Cloud runs keep their state in the lake itself, one JSON record per run under `_runs/<hour>/`:
 * the fan-out writes it with the plan, the hour's close writes how it ended. `status` (and the UI)
 * read them without a database (through LakeRunStore, the run-records port's adapter); the tasks done so far are the done markers under the run's staging.
 */
import { UserError } from '../../errors/user-error.js';
import type { RunManifest } from '../../pipeline/run-manifest.js';
import { runRecordKey, runRecordsRoot } from '../../pipeline/lake-layout.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { RunRequest, RunSummary, RunTrigger } from '../run-store.js';

export type LakeRunStatus = 'queued' | 'success' | 'failed';

export interface LakeRunRecord {
  readonly version: 1;
  readonly runId: string;
  readonly hour: string;
  readonly status: LakeRunStatus;
  readonly queuedAt: string;
  readonly finishedAt?: string;
  /** Where its tasks went, e.g. the queue's URL. */
  readonly queue?: string;
  /** Why it exists and what it was asked (absent in records written before they were kept). */
  readonly trigger?: RunTrigger;
  readonly request?: RunRequest;
  readonly manifest: RunManifest;
  readonly summary?: RunSummary;
  readonly error?: string;
  /** A sentence on how a run ended that is not an error (an hour with no source objects, recorded empty). */
  readonly note?: string;
}

export async function writeLakeRun(store: ObjectStore, record: LakeRunRecord): Promise<void> {
  await store.write(runRecordKey(record.hour, record.runId), Buffer.from(`${JSON.stringify(record, null, 1)}\n`));
}

/** A record as written; one that is not (a stray or damaged object) is named in one sentence. */
function parseRecord(store: ObjectStore, key: string, body: Buffer): LakeRunRecord {
  let record: unknown;
  try {
    record = JSON.parse(body.toString('utf8'));
  } catch {
    record = undefined;
  }
  const r = record as Partial<LakeRunRecord> | undefined;
  if (r?.version !== 1 || typeof r.runId !== 'string' || typeof r.hour !== 'string' || typeof r.status !== 'string' || !Array.isArray(r.manifest?.tasks)) {
    throw new UserError(`${key} in ${store.location} is not an eventlake run record; delete it (cloud runs keep their state there)`);
  }
  return r as LakeRunRecord;
}

export async function readLakeRun(store: ObjectStore, hour: string, runId: string): Promise<LakeRunRecord | undefined> {
  return (await readLakeRunVersion(store, hour, runId))?.record;
}

/** The record with the ETag a conditional change of it names. */
export async function readLakeRunVersion(store: ObjectStore, hour: string, runId: string): Promise<{ record: LakeRunRecord; etag: string } | undefined> {
  const key = runRecordKey(hour, runId);
  const found = await store.readVersion(key);
  return found ? { record: parseRecord(store, key, found.body), etag: found.etag } : undefined;
}

/**
 * The runs recorded in the lake (of one hour, when given), newest hour first, at most `limit`:
 * only the records shown are read, one listing finds them (a lake keeps a record per hour run).
 */
export async function listLakeRuns(store: ObjectStore, hour?: string, limit = Number.POSITIVE_INFINITY): Promise<LakeRunRecord[]> {
  return listLakeRunsUnder(store, hour === undefined ? `${runRecordsRoot}/` : `${runRecordsRoot}/${hour}/`, limit);
}

/** The runs of one day (`2019-06-01`), in one listing: what a sweep of that day's hours reads. */
export async function listLakeRunsOfDay(store: ObjectStore, date: string): Promise<LakeRunRecord[]> {
  return listLakeRunsUnder(store, `${runRecordsRoot}/${date}T`);
}

async function listLakeRunsUnder(store: ObjectStore, prefix: string, limit = Number.POSITIVE_INFINITY): Promise<LakeRunRecord[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) {
    if (info.key.endsWith('.json')) keys.push(info.key);
  }
  const records: LakeRunRecord[] = [];
  // `_runs/<hour>/<run>.json`: key order is hour order.
  for (const key of keys.sort().reverse().slice(0, limit)) {
    const found = await store.readVersion(key);
    if (found) records.push(parseRecord(store, key, found.body));
  }
  return records.sort((a, b) => b.hour.localeCompare(a.hour) || b.queuedAt.localeCompare(a.queuedAt));
}
