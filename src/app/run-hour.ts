/**
 * Running one hour, as the CLI (and later the HTTP API) asks for it: check the locations, open
 * the adapters the configuration names, plan, record the run, run it, record how it ended.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { defaultRegistry } from '../events/entity-registry.js';
import type { FormatName, LakeFormat } from '../formats/lake-format.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import { UserError } from '../errors/user-error.js';
import type { RunRecord, RunOutputRecord } from '../orchestration/run-store.js';
import { openRunStore } from '../orchestration/run-store-registry.js';
import type { Hour } from '../pipeline/hour.js';
import { tableOf } from '../pipeline/lake-layout.js';
import { MAX_LINE_BYTES } from '../pipeline/line-splitter.js';
import { planHour } from '../pipeline/plan-hour.js';
import { runPlannedHour, type HourResult, type HourRunObserver } from '../pipeline/run-hour.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { openTaskRunner } from '../runtime/task-runner-registry.js';
import { openLakeStorage } from '../storage/lake-storage-registry.js';
import type { SkippedEntry } from '../storage/object-store.js';
import { openObjectStore } from '../storage/object-store-registry.js';

export interface RunHourRequest {
  readonly source: string;
  readonly lake: string;
  readonly state: string;
  readonly hour: Hour;
  readonly layout: SourceLayout;
  readonly format: FormatName;
  readonly codec?: string;
  /** Worker threads; 0 processes on the calling thread. */
  readonly workers: number;
  readonly targetFileBytes: number;
  readonly maxLineBytes?: number;
}

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
  /** What went wrong after the hour was published (the run itself succeeded). */
  readonly warnings?: readonly string[];
}

export interface RunHourObserver extends HourRunObserver {
  /** Called once the hour is planned, before any object is read. */
  readonly onPlanned?: (plan: { runId: string; objects: number; bytes: number; skipped: readonly SkippedEntry[] }) => void;
}

/** The format names its own codecs: the asked one, or its default. */
export function checkCodec(format: LakeFormat, codec: string | undefined): string {
  const chosen = codec ?? (format.codecs[0] as string);
  if (!format.codecs.includes(chosen)) {
    throw new UserError(`--codec ${chosen} is not available for ${format.name}; use ${format.codecs.join(' or ')}`);
  }
  return chosen;
}

function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Folders that overlap would read the lake as source, or publish over the state. */
function checkFolders(request: RunHourRequest): void {
  const [source, lake, state] = [resolve(request.source), resolve(request.lake), resolve(request.state)];
  if (source === lake) throw new UserError(`the lake folder ${lake} is the source folder; choose another lake`);
  if (request.layout === 'any' && isWithin(lake, source)) {
    throw new UserError(`the lake folder ${lake} is inside the source folder ${source}, which --layout any reads whole; move the lake or use --layout flat or nested`);
  }
  if (isWithin(state, lake)) throw new UserError(`the state folder ${state} is inside the lake ${lake}; keep it outside, publishing replaces lake folders`);
}

export async function runHour(request: RunHourRequest, observer: RunHourObserver = {}): Promise<RunReport> {
  const started = performance.now();
  checkFolders(request);
  const format = await loadLakeFormat(request.format);
  const codec = checkCodec(format, request.codec);
  const source = { kind: 'local', root: request.source } as const;
  const store = await openObjectStore(source);
  await store.assertReadable();
  const lake = await openLakeStorage({ kind: 'local', root: request.lake });
  await lake.assertWritable();
  const runs = await openRunStore({ kind: 'json', dir: request.state });
  const { hour } = request;

  const manifest = await planHour({
    store,
    hour,
    layout: request.layout,
    source,
    format: request.format,
    codec,
    targetFileBytes: request.targetFileBytes,
    maxLineBytes: request.maxLineBytes ?? MAX_LINE_BYTES,
  });
  observer.onPlanned?.({ runId: manifest.runId, objects: manifest.objects, bytes: manifest.bytes, skipped: manifest.skipped });
  if (manifest.objects === 0) {
    const skipped = manifest.skipped.length > 0 ? ` (${manifest.skipped.length} skipped for their names; --debug lists them)` : '';
    throw new UserError(
      `no source objects for hour ${hour.label} under ${store.location} with --layout ${request.layout}${skipped} (expected names like ${hour.date}-${hour.hour}-5-7-events.json)`,
    );
  }
  const base: Omit<RunRecord, 'status'> = {
    runId: manifest.runId,
    hour: hour.label,
    source: store.location,
    lake: lake.location,
    format: request.format,
    codec,
    startedAt: new Date().toISOString(),
    objects: manifest.objects,
    bytes: manifest.bytes,
    skipped: manifest.skipped.length,
  };
  // Written before any work: a state folder that cannot be written stops the run before it publishes.
  await runs.save({ ...base, status: 'running' });
  let result: HourResult;
  try {
    result = await runPlannedHour(
      manifest,
      { lake, runner: await openTaskRunner({ kind: 'local', workers: request.workers }), registry: defaultRegistry(), format },
      {
        ...observer,
        // A run that died holding the hour never said how it ended: say it for it.
        onLeaseTaken: async (from) => {
          const dead = await runs.get(from.runId);
          if (dead?.status !== 'running') return;
          const error = `the run died before it finished (found by run ${manifest.runId})`;
          await runs.save({ ...dead, status: 'failed', finishedAt: new Date().toISOString(), error });
        },
      },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    await runs.save({ ...base, status: 'failed', finishedAt: new Date().toISOString(), error: message }).catch(() => undefined);
    throw err;
  }
  const outputs: RunOutputRecord[] = result.published.flatMap((p) =>
    p.files.map((f) => ({ key: f.key, entity: tableOf(p.partition), rows: f.rows, bytes: f.bytes })),
  );
  const seconds = (performance.now() - started) / 1000;
  const report: RunReport = {
    runId: manifest.runId,
    hour: hour.label,
    objects: manifest.objects,
    bytes: manifest.bytes,
    skipped: manifest.skipped,
    events: result.events,
    quarantined: result.quarantined,
    outputs: outputs.map((o) => ({ path: lake.locate(o.key), entity: o.entity, rows: o.rows, bytes: o.bytes })),
    seconds,
  };
  // The hour is published whatever happens next: a record that cannot be saved is a warning.
  const saved = await runs
    .save({ ...base, status: 'success', finishedAt: new Date().toISOString(), events: result.events, quarantined: result.quarantined, outputs, seconds })
    .then(
      () => undefined,
      (err: Error) => `the hour was published, but its run record could not be saved: ${err.message}`,
    );
  return saved === undefined ? report : { ...report, warnings: [saved] };
}
