/**
 * The hour's close, in the cloud: once every task of a run has its done marker, one invocation
 * merges the tasks' outputs into the final parts (at most one file per entity per target size,
 * 128 MB by default), publishes them and records the run's end in the lake.
 *
 * Exactly one close per run, even when the last two tasks finish together: the closer is whoever
 * creates the run's close claim (a conditional create, `If-None-Match: *` on S3). A claim whose
 * closer died (its expiry passed: a Lambda is killed at its timeout) is taken over with
 * `If-Match` on the claim's etag, so again one winner. A claim held by another closer is never
 * taken as a close done: the worker waits a little for that close to end the run, then fails its
 * message (closeHeldError), so SQS delivers it again after the visibility timeout (six times the
 * function's, longer than any claim), and that delivery finds the hour published or takes over
 * the claim of a closer that died.
 *
 * The close publishes exactly the plan's tasks: a staged task the plan does not list is left out
 * and named; a planned task without its output means the hour is not ready (its own message,
 * still on the queue, closes it).
 */
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { EntityRegistry } from '../../events/entity-registry.js';
import { loadLakeFormat } from '../../formats/lake-formats.js';
import { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import type { RunSummary } from '../../orchestration/run-store.js';
import { publishRun } from '../../orchestration/publish-run.js';
import { publishedCounts, publishedOutputs, summarizeRun } from '../../orchestration/run-summary.js';
import { closeClaimKey } from '../../pipeline/lake-layout.js';
import { readHourManifest } from '../../storage/hour-manifest.js';
import type { LakeStorage } from '../../storage/lake-storage.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { KeepVisibilityError } from './keep-visibility-error.js';
import { LakeObjectStaging } from '../../storage/lake-object-staging.js';
import type { TaskStaging } from '../../storage/task-staging.js';
import type { CloudRun } from './planned-task.js';

interface CloseClaim {
  readonly by: string;
  readonly at: string;
  readonly expiresAt: string;
}

export interface CloseDeps {
  /** The lake as objects (claims, markers, records) and as a lake (lease, publisher). */
  readonly lakeStore: ObjectStore;
  readonly lake: LakeStorage;
  /** The lake's run records (over lakeStore by default). */
  readonly runs?: LakeRunStore;
  /** Where the tasks' outputs wait (the lake's `_staging/`, over lakeStore, by default). */
  readonly staging?: TaskStaging;
  readonly registry: EntityRegistry;
  /** Local scratch space for downloading and finishing. */
  readonly scratchDir: string;
  /** Who is closing, for the claim (a Lambda request id). */
  readonly closer: string;
  /** How long a claim stands before another invocation may take it over. */
  readonly claimMs: number;
  readonly now?: () => number;
}

export type CloseOutcome =
  | {
      readonly closed: true;
      readonly summary: RunSummary;
      /** One sentence: the hour published, by which run, and how (taken over, recovered). */
      readonly sentence: string;
      /** Staged tasks the plan does not list: left out of the hour. */
      readonly ignoredTasks: readonly string[];
    }
  | {
      readonly closed: false;
      /** `held`: another closer holds a live claim (the message must be delivered again); `ended`, `not-ready`: nothing left for this message to do. */
      readonly why: 'held' | 'ended' | 'not-ready';
      readonly reason: string;
    };

type Claimed = { readonly won: true; readonly tookOver?: CloseClaim } | { readonly won: false; readonly held: CloseClaim | undefined };

function parseClaim(body: Buffer): CloseClaim | undefined {
  try {
    const claim = JSON.parse(body.toString('utf8')) as Partial<CloseClaim>;
    return typeof claim.by === 'string' && typeof claim.expiresAt === 'string' && !Number.isNaN(Date.parse(claim.expiresAt)) ? (claim as CloseClaim) : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the claim, or takes over an expired (or unreadable) one; not won while a live closer holds it. */
async function claimClose(deps: CloseDeps, runId: string): Promise<Claimed> {
  const now = deps.now?.() ?? Date.now();
  const claim: CloseClaim = { by: `${deps.closer}@${hostname()}`, at: new Date(now).toISOString(), expiresAt: new Date(now + deps.claimMs).toISOString() };
  const body = Buffer.from(JSON.stringify(claim));
  const key = closeClaimKey(runId);
  if (await deps.lakeStore.createIfAbsent(key, body)) return { won: true };
  const current = await deps.lakeStore.readVersion(key);
  if (!current) return (await deps.lakeStore.createIfAbsent(key, body)) ? { won: true } : { won: false, held: undefined };
  const held = parseClaim(current.body);
  if (held && Date.parse(held.expiresAt) > now) return { won: false, held };
  if (!(await deps.lakeStore.replaceIfMatch(key, body, current.etag))) return { won: false, held: undefined };
  return held ? { won: true, tookOver: held } : { won: true };
}

/** What a worker does with a close held by another invocation: fail its message, so SQS delivers it again. */
export function closeHeldError(runId: string, reason: string): Error {
  // Not retried sooner than the queue's visibility timeout, which outlasts any claim (keep-visibility-error.ts).
  return new KeepVisibilityError(`run ${runId} is not closed yet: ${reason}; this message fails so SQS delivers it again, and that delivery finds the hour published or takes the close over`);
}

/**
 * The run's summary as its hour manifest tells it, when the hour's current publish is this run's:
 * what a close that died after publishing (before recording the end) still owes.
 */
export async function publishedByRun(lakeStore: ObjectStore, { run, manifest }: CloudRun): Promise<RunSummary | undefined> {
  const published = await readHourManifest(lakeStore, run.hour);
  if (published?.runId !== run.id) return undefined;
  const seconds = (Date.parse(published.publishedAt) - Date.parse(run.queuedAt)) / 1000;
  return summarizeRun(manifest, publishedCounts(published.partitions), publishedOutputs(published.partitions), seconds);
}

/**
 * Records the run's success; when its record ended meanwhile (a stale-run sweep, a newer fan-out,
 * a dead letter read), the hour is published all the same, and the words returned say the record
 * does not say so (empty when it does).
 */
export async function recordSuccess(runs: LakeRunStore, runId: string, by: string, summary: RunSummary): Promise<string> {
  if (await runs.end(runId, by, { status: 'success', summary, poorQuality: false })) return '';
  const now = await runs.get(runId);
  return `; its record had already ended (${now?.status ?? 'gone'}${now?.error ? `: ${now.error}` : ''}) and was left as it was`;
}

export async function closeHour(cloudRun: CloudRun, deps: CloseDeps): Promise<CloseOutcome> {
  const { run: record, manifest } = cloudRun;
  const runId = record.id;
  const runs = deps.runs ?? new LakeRunStore(deps.lakeStore);
  const staging = deps.staging ?? new LakeObjectStaging(deps.lakeStore);
  const claimed = await claimClose(deps, runId);
  if (!claimed.won) {
    const held = claimed.held ? `${claimed.held.by} claimed its close at ${claimed.held.at} until ${claimed.held.expiresAt}` : 'another invocation is claiming its close';
    return { closed: false, why: 'held', reason: held };
  }
  const how = claimed.tookOver ? `, taking over the close ${claimed.tookOver.by} claimed at ${claimed.tookOver.at} (expired at ${claimed.tookOver.expiresAt})` : '';
  try {
    const lease = await deps.lake.lease.acquire(record.hour, runId);
    try {
      // The run may have ended since the worker read it: replaced by a newer fan-out of the hour
      // (which the lease now orders after this close, if it closes at all) or closed already.
      const current = await runs.get(runId);
      if (current?.status !== 'queued') {
        await deps.lakeStore.delete(closeClaimKey(runId));
        return { closed: false, why: 'ended', reason: `run ${runId} has ended (${current?.status ?? 'no record'}); not closing it` };
      }
      // Finishes a publish of the hour a crash interrupted; keeps this run's own staging.
      await deps.lake.publisher.recover(record.hour, runId);
      // That publish may have been this run's own (its close failed after the journal): done, then.
      const recovered = await publishedByRun(deps.lakeStore, cloudRun);
      if (recovered) {
        const recorded = await recordSuccess(runs, runId, deps.closer, recovered);
        const sentence = `hour ${record.hour} published by run ${runId}: an interrupted close's publish was finished${how}${recorded}`;
        return { closed: true, summary: recovered, sentence, ignoredTasks: [] };
      }
      const planned = manifest.tasks.map((t) => t.id);
      const { missing, extra } = await staging.progress(runId, planned);
      if (missing.length > 0) {
        await deps.lakeStore.delete(closeClaimKey(runId));
        const names = `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`;
        return { closed: false, why: 'not-ready', reason: `run ${runId} is not ready to close: ${missing.length} of its ${planned.length} planned tasks (${names}) have no outputs yet` };
      }
      const outputs = await staging.take(runId, planned, deps.scratchDir);
      const format = await loadLakeFormat(manifest.format);
      const published = await publishRun(manifest, outputs, { lake: deps.lake, lease, registry: deps.registry, format, scratchDir: deps.scratchDir });
      const seconds = ((deps.now?.() ?? Date.now()) - Date.parse(record.queuedAt)) / 1000;
      const summary = summarizeRun(manifest, published.counts, published.outputs, seconds);
      // Replaced while it published (the lease made the newer run's close wait): the record keeps saying so.
      const recorded = await recordSuccess(runs, runId, deps.closer, summary);
      const ignored = extra.length > 0 ? `; staged tasks ${extra.join(', ')} are not in the plan and were left out` : '';
      const sentence = `hour ${record.hour} published by run ${runId} from its ${planned.length} planned task${planned.length === 1 ? '' : 's'}${how}${ignored}${recorded}`;
      return { closed: true, summary, sentence, ignoredTasks: extra };
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
