/**
 * The run records of the cloud runtime, behind the same port as the local state's: each run is
 * one JSON object in the lake (lake-run-records.ts), so the fan-out, the workers, the close, the
 * stale-run sweep, the dead-letter replay and `status` read and change runs the way the local
 * engine does, with no database. A change of state is a conditional write on the record's ETag:
 * of two closers, or a close and a sweep, one wins and the other is told the run has ended.
 *
 * What the lake has no use for: run ids come from the plan (the cloud plans before it queues, so
 * `submit` takes the plan); `owner` is not kept (SQS hands out the tasks, no process holds a run).
 */
import { UserError } from '../../errors/user-error.js';
import { partitionKeyOfRun, runRecordKey } from '../../pipeline/lake-layout.js';
import type { RunManifest } from '../../pipeline/run-manifest.js';
import { parseLocation } from '../../storage/location.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { RunEnd, RunFilter, RunRecord, RunRecords, RunRequest, RunStatus, SubmitRun } from '../run-store.js';
import { listLakeRuns, listLakeRunsOfDay, readLakeRun, readLakeRunVersion, writeLakeRun, type LakeRunRecord } from './lake-run-records.js';

export interface LakeRunStoreOptions {
  /** Where the runs' tasks go (the queue's URL), kept in the records this store writes. */
  readonly queue?: string;
  readonly now?: () => number;
}

/** A record's request; one written before requests were kept is read from its plan (the layout and zone it planned with are not known). */
function requestOf(record: LakeRunRecord, lake: string): RunRequest {
  if (record.request) return record.request;
  const { manifest } = record;
  return {
    source: manifest.source,
    lake: parseLocation(lake, 'lake'),
    layout: 'any',
    format: manifest.format,
    codec: manifest.codec,
    targetFileBytes: manifest.targetFileBytes,
    maxLineBytes: manifest.maxLineBytes,
    timezone: 'UTC',
  };
}

export class LakeRunStore implements RunRecords {
  /** Plans read so far: a plan never changes once recorded, so a run's is read once. */
  private readonly plans = new Map<string, RunManifest>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: LakeRunStoreOptions = {},
  ) {}

  /** The lake, as the records name it. */
  get location(): string {
    return this.store.location;
  }

  private now(): Date {
    return new Date(this.options.now?.() ?? Date.now());
  }

  /** The record as the port tells it. */
  toRun(record: LakeRunRecord): RunRecord {
    this.plans.set(record.runId, record.manifest);
    return {
      id: record.runId,
      lake: this.store.location,
      hour: record.hour,
      status: record.status,
      trigger: record.trigger ?? 'schedule',
      attempt: 1,
      request: requestOf(record, this.store.location),
      queuedAt: record.queuedAt,
      ...(record.finishedAt === undefined ? {} : { finishedAt: record.finishedAt }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.summary === undefined ? {} : { summary: record.summary }),
      ...(record.note === undefined ? {} : { note: record.note }),
      planned: true,
    };
  }

  /** The stored record of a run, with the ETag a change is conditional on. */
  private async read(runId: string): Promise<{ record: LakeRunRecord; etag: string } | undefined> {
    return readLakeRunVersion(this.store, partitionKeyOfRun(runId), runId);
  }

  /** Replaces the record if it has not changed since it was read (false: it has). */
  private async replace(etag: string, record: LakeRunRecord): Promise<boolean> {
    return this.store.replaceIfMatch(runRecordKey(record.hour, record.runId), Buffer.from(`${JSON.stringify(record, null, 1)}\n`), etag);
  }

  async submit(run: SubmitRun): Promise<{ run: RunRecord; created: boolean }> {
    const plan = run.plan;
    if (!plan) throw new Error('a run recorded in the lake is recorded with its plan: plan the hour first');
    if (plan.partitionKey !== run.hour) throw new Error(`run ${plan.runId}'s plan is of hour ${plan.partitionKey}, not ${run.hour}`);
    const active = (await listLakeRuns(this.store, run.hour)).find((r) => r.status === 'queued');
    if (active) return { run: this.toRun(active), created: false };
    // A plan already recorded (submitted twice) is answered as it is, never rewritten: written
    // again, an ended run would be queued again and lose how it ended.
    const record: LakeRunRecord = {
      version: 1,
      runId: plan.runId,
      hour: run.hour,
      status: 'queued',
      queuedAt: this.now().toISOString(),
      ...(this.options.queue === undefined ? {} : { queue: this.options.queue }),
      trigger: run.trigger,
      request: run.request,
      manifest: plan,
    };
    if (!(await this.store.createIfAbsent(runRecordKey(run.hour, plan.runId), Buffer.from(`${JSON.stringify(record, null, 1)}\n`)))) {
      const existing = await readLakeRun(this.store, run.hour, plan.runId);
      if (existing) return { run: this.toRun(existing), created: false };
    }
    return { run: this.toRun(record), created: true };
  }

  /** Records a run that had nothing to do as ended at once (an hour with no source objects): success, the plan kept, and why. */
  async recordEnded(run: SubmitRun & { plan: RunManifest }, end: RunEnd, note?: string): Promise<RunRecord> {
    const at = this.now().toISOString();
    const record: LakeRunRecord = {
      version: 1,
      runId: run.plan.runId,
      hour: run.hour,
      status: end.status,
      queuedAt: at,
      finishedAt: at,
      ...(this.options.queue === undefined ? {} : { queue: this.options.queue }),
      trigger: run.trigger,
      request: run.request,
      manifest: run.plan,
      ...(end.status === 'success' ? { summary: end.summary } : { error: end.error }),
      ...(note === undefined ? {} : { note }),
    };
    await writeLakeRun(this.store, record);
    return this.toRun(record);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const record = await readLakeRun(this.store, partitionKeyOfRun(id), id);
    return record && this.toRun(record);
  }

  /** Newest hour first; only the records shown are read (`limit` before a status filter counts records read). */
  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    const records = await listLakeRuns(this.store, filter.hour, filter.status === undefined && filter.fromHour === undefined ? filter.limit : undefined);
    const runs = records
      .filter((r) => (filter.status === undefined || r.status === filter.status) && (filter.fromHour === undefined || r.hour >= filter.fromHour))
      .map((r) => this.toRun(r));
    return filter.limit === undefined ? runs : runs.slice(0, filter.limit);
  }

  /** The runs of the given hours still queued, each of their days listed once (a sweep of 24 hours costs a listing or two, not 24). */
  async queuedIn(hours: readonly string[]): Promise<RunRecord[]> {
    const wanted = new Set(hours);
    const runs: RunRecord[] = [];
    for (const date of new Set(hours.map((h) => h.slice(0, 10)))) {
      for (const record of await listLakeRunsOfDay(this.store, date)) {
        if (record.status === 'queued' && wanted.has(record.hour)) runs.push(this.toRun(record));
      }
    }
    return runs;
  }

  async newestHour(_lake: string, status?: RunStatus): Promise<string | undefined> {
    return (await this.list(status === undefined ? { limit: 1 } : { status }))[0]?.hour;
  }

  async saveManifest(runId: string, manifest: RunManifest): Promise<void> {
    const found = await this.read(runId);
    if (!found) throw new Error(`run ${runId} has no record in ${this.store.location}`);
    if (!(await this.replace(found.etag, { ...found.record, manifest }))) throw new Error(`run ${runId}'s record in ${this.store.location} changed while its plan was saved`);
    this.plans.set(runId, manifest);
  }

  async manifest(runId: string): Promise<RunManifest | undefined> {
    const known = this.plans.get(runId);
    if (known) return known;
    return (await readLakeRun(this.store, partitionKeyOfRun(runId), runId))?.manifest;
  }

  /** Ends a run still queued; false when it was not (ended by a close, a sweep or a newer run meanwhile). */
  async end(runId: string, _owner: string, end: RunEnd): Promise<boolean> {
    const found = await this.read(runId);
    if (found?.record.status !== 'queued') return false;
    const ended: LakeRunRecord = {
      ...found.record,
      status: end.status,
      finishedAt: this.now().toISOString(),
      ...(end.status === 'success' ? { summary: end.summary } : { error: end.error }),
    };
    return this.replace(found.etag, ended);
  }

  /**
   * A failed run queued again (a replay of its dead letter), with a fresh time queued for the
   * stale-run sweep and how it had ended in its note; refused while another run of its hour is queued.
   */
  async reopen(runId: string, why = 'queued again'): Promise<RunRecord> {
    const found = await this.read(runId);
    if (!found) throw new UserError(`no run ${runId} in ${this.store.location}`);
    const { record } = found;
    if (record.status !== 'failed') return this.toRun(record);
    const other = (await listLakeRuns(this.store, record.hour)).find((r) => r.runId !== runId && r.status === 'queued');
    if (other) throw new UserError(`hour ${record.hour} has another run in progress (${other.runId}); replay after it ends`);
    const next: { -readonly [K in keyof LakeRunRecord]: LakeRunRecord[K] } = { ...record, status: 'queued', queuedAt: this.now().toISOString(), note: `${why} (it had failed: ${record.error ?? 'no reason recorded'})` };
    delete next.finishedAt;
    delete next.error;
    if (!(await this.replace(found.etag, next))) throw new UserError(`run ${runId}'s record in ${this.store.location} changed while it was reopened; try again`);
    return this.toRun(next);
  }
}
