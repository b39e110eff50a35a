/**
 * Running one hour, as the CLI (and later the HTTP API) asks for it: check the locations, queue
 * the run in the state, work on it in this process, answer how it ended.
 */
import { loadLakeFormat } from '../formats/lake-formats.js';
import { UserError } from '../errors/user-error.js';
import { ownerAlive, parseOwner } from '../orchestration/process-identity.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { Hour } from '../pipeline/hour.js';
import { openLakeStorage } from '../storage/lake-storage-registry.js';
import type { SkippedEntry } from '../storage/object-store.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import { checkLocations } from './check-locations.js';
import { checkCodec } from '../orchestration/resolve-run-request.js';
import { runRequest, type Orchestrator, type RunTarget } from './orchestrator.js';

export interface RunOutput {
  /** Where the file is, for a person: its path in a local lake. */
  readonly path: string;
  readonly entity: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface RunReport {
  readonly runId: string;
  readonly hour: string;
  readonly objects: number;
  readonly bytes: number;
  readonly skipped: readonly SkippedEntry[];
  readonly events: Record<string, number>;
  readonly quarantined: number;
  readonly outputs: RunOutput[];
  readonly seconds: number;
  /** Quarantined lines over lines read. */
  readonly quarantinedShare: number;
  /** Over the quality threshold: a `quality` event was recorded (the hour still published). */
  readonly poorQuality: boolean;
  /** What went wrong after the hour was published (the run itself succeeded). */
  readonly warnings?: readonly string[];
}

export interface RunHourObserver {
  readonly onProgress?: (done: { objects: number; events: number }, total: { objects: number; bytes: number }) => void;
  readonly onPhase?: (phase: 'writing' | 'publishing') => void;
  /** Called once the hour is planned, before any object is read. */
  readonly onPlanned?: (plan: { runId: string; objects: number; bytes: number; skipped: readonly SkippedEntry[] }) => void;
}

/** What a run record says, as the report a person or script reads. */
export async function reportOf(orchestrator: Orchestrator, run: RunRecord): Promise<RunReport> {
  const summary = run.summary;
  if (!summary) throw new Error(`run ${run.id} has no summary`);
  const manifest = await orchestrator.state.runs.manifest(run.id);
  const lake = await openLakeStorage(run.request.lake);
  return {
    runId: run.id,
    hour: run.hour,
    objects: summary.objects,
    bytes: summary.bytes,
    skipped: manifest?.skipped ?? [],
    events: summary.events,
    quarantined: summary.quarantined,
    outputs: summary.outputs.map((o) => ({ path: lake.locate(o.key), entity: o.entity, rows: o.rows, bytes: o.bytes })),
    seconds: summary.seconds,
    quarantinedShare: summary.quarantinedShare,
    poorQuality: run.poorQuality ?? false,
  };
}

/** Checks what a run of the hour needs before anything is recorded: one clear sentence each. */
export async function checkTarget(target: RunTarget, stateDir: string): Promise<void> {
  const request = runRequest(target);
  checkLocations(request.source, request.lake, request.layout, stateDir);
  const format = await loadLakeFormat(target.format);
  checkCodec(format, target.codec);
  const store = await openObjectStore(request.source);
  await store.assertReadable();
  const lake = await openLakeStorage(request.lake);
  await lake.assertWritable();
}

/**
 * Runs the hour in this process through the durable queue, recording every step in the state,
 * and answers how it ended. A run of the same hour whose process died is taken over and
 * finished; one another live process is running is not touched.
 */
export async function runHour(orchestrator: Orchestrator, target: RunTarget, hour: Hour, observer: RunHourObserver = {}): Promise<RunReport> {
  await checkTarget(target, orchestrator.stateDir);
  const submitted = await orchestrator.submit(hour.label, 'run', target);
  let { run } = submitted;
  if (!submitted.created) {
    if (run.owner !== undefined && ownerAlive(run.owner)) {
      const who = parseOwner(run.owner);
      throw new UserError(`hour ${hour.label} of ${target.lake} is already being run by process ${who?.pid ?? run.owner} (run ${run.id}); wait for it to end`);
    }
    if (JSON.stringify(run.request) !== JSON.stringify(runRequest(target))) {
      // A dead run asked for something else (another format, say): it ends, a new one starts.
      await orchestrator.state.runs.end(run.id, run.owner ?? '', { status: 'failed', error: `replaced by a run of the hour with other settings` });
      ({ run } = await orchestrator.submit(hour.label, 'run', target));
    }
  }
  const [ended] = await orchestrator.workOn([run.id], {
    retryRuns: false,
    observer: {
      onPlanned: (r, manifest) => observer.onPlanned?.({ runId: r.id, objects: manifest.objects, bytes: manifest.bytes, skipped: manifest.skipped }),
      onProgress: (_id, done, total) => observer.onProgress?.(done, total),
      onPhase: (_id, phase) => observer.onPhase?.(phase),
    },
  });
  if (!ended || ended.status !== 'success') throw new UserError(ended?.error ?? `run ${run.id} did not finish`);
  return reportOf(orchestrator, ended);
}
