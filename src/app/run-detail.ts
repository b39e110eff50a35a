/**
 * One run as its detail page shows it: tasks with their attempts and last error, every attempt,
 * rows, files and bytes per entity, the first quarantined lines with their reasons (read from
 * the quarantine files the run published), and a time-ordered log of what happened to it.
 */
import { createInterface } from 'node:readline';
import { QUARANTINE } from '../pipeline/lake-layout.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { Attempt } from '../orchestration/work-queue.js';
import type { RecordedEvent } from '../orchestration/event-log.js';
import { formatLocation } from '../storage/location.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import type { AttemptView, EntityCount, LogLine, QuarantinedLine, RunDetail, TaskView } from './api-views.js';
import type { Orchestrator } from './orchestrator.js';
import { numberedAcrossReplays, replayedLetters, replayLines, secondsTaken } from './run-replays.js';
import { runView } from './run-view.js';
import { supersedingRun } from './superseding-run.js';

export const QUARANTINE_SHOWN = 200;

function entityCounts(run: RunRecord): EntityCount[] {
  const counts = new Map<string, { rows: number; files: number; bytes: number }>();
  for (const output of run.summary?.outputs ?? []) {
    if (output.entity === QUARANTINE) continue;
    const count = counts.get(output.entity) ?? { rows: 0, files: 0, bytes: 0 };
    counts.set(output.entity, { rows: count.rows + output.rows, files: count.files + 1, bytes: count.bytes + output.bytes });
  }
  // An entity with no row in the hour still says so.
  for (const entity of Object.keys(run.summary?.events ?? {})) if (!counts.has(entity)) counts.set(entity, { rows: 0, files: 0, bytes: 0 });
  return [...counts].map(([entity, c]) => ({ entity, ...c })).sort((a, b) => a.entity.localeCompare(b.entity));
}

interface Quarantine {
  readonly lines: QuarantinedLine[];
  /** Why the lines cannot be shown (or not all of them), for the run's log. */
  readonly note?: LogLine;
}

/** The first quarantined lines, read line by line from the run's quarantine files in the lake. */
async function quarantinedLines(orchestrator: Orchestrator, run: RunRecord): Promise<Quarantine> {
  const files = (run.summary?.outputs ?? []).filter((o) => o.entity === QUARANTINE);
  if (files.length === 0) return { lines: [] };
  const at = run.finishedAt ?? run.queuedAt;
  // A later run of the hour swapped the quarantine out: the same names may hold its lines now.
  const newer = await supersedingRun(orchestrator.state.runs, run);
  if (newer) return { lines: [], note: { at, level: 'warn', message: `quarantined lines not shown: run ${newer.id} replaced the hour's files in the lake since` } };
  const store = await openObjectStore(run.request.lake);
  const lines: QuarantinedLine[] = [];
  for (const file of files) {
    const input = store.read(file.key);
    try {
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        if (text === '') continue;
        const record = JSON.parse(text) as QuarantinedLine;
        lines.push({ source_object: record.source_object, source_line: record.source_line, reason: record.reason, raw: record.raw });
        if (lines.length >= QUARANTINE_SHOWN) return { lines };
      }
    } catch (err) {
      // Deleted or damaged by hand since: the page still shows the rest of the run.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      return { lines, note: { at, level: 'warn', message: `quarantine file ${file.key} could not be read: ${reason}` } };
    } finally {
      input.destroy();
    }
  }
  return { lines };
}

function attemptView(a: Attempt): AttemptView {
  return {
    kind: a.kind,
    ...(a.taskId === undefined ? {} : { taskId: a.taskId }),
    attempt: a.attempt,
    worker: a.worker,
    startedAt: a.startedAt,
    ...(a.finishedAt === undefined ? {} : { finishedAt: a.finishedAt }),
    outcome: a.outcome,
    ...(a.error === undefined ? {} : { error: a.error }),
  };
}

function eventLine(event: RecordedEvent): LogLine {
  const extra = Object.entries(event.payload)
    .filter(([key]) => !['event', 'run', 'at'].includes(key))
    .map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  const level = event.kind === 'success' ? 'info' : event.kind === 'retry' || event.kind === 'late_data' ? 'warn' : 'error';
  // The reason travels in the payload's run: a failure or a retry without it says nothing.
  const error = event.payload.run?.error || undefined;
  if (event.kind === 'failure') return { at: event.at, level, message: `failure: ${error ?? 'no reason recorded'}` };
  const reason = event.kind === 'retry' && error ? ` after: ${error}` : '';
  return { at: event.at, level, message: `${event.kind.replaceAll('_', ' ')}${extra ? `: ${extra}` : ''}${reason}` };
}

function runLog(run: RunRecord, attempts: readonly Attempt[], events: readonly RecordedEvent[], notes: readonly LogLine[]): LogLine[] {
  const lines: LogLine[] = [{ at: run.queuedAt, level: 'info', message: `queued (${run.trigger})` }];
  if (run.startedAt) lines.push({ at: run.startedAt, level: 'info', message: `started, attempt ${run.attempt}` });
  for (const a of attempts) {
    const what = a.kind === 'task' ? `task ${a.taskId ?? '?'}` : 'finish';
    lines.push({ at: a.startedAt, level: 'info', message: `${what} attempt ${a.attempt} started on ${a.worker}` });
    if (a.finishedAt && a.outcome !== 'running') {
      const level = a.outcome === 'ok' ? 'info' : a.outcome === 'lost' ? 'warn' : 'error';
      lines.push({ at: a.finishedAt, level, message: `${what} attempt ${a.attempt} ${a.outcome === 'ok' ? 'done' : a.outcome === 'lost' ? 'lost (its process died)' : `failed: ${a.error ?? ''}`}` });
    }
  }
  for (const event of events) lines.push(eventLine(event));
  lines.push(...notes);
  // The end, unless the state recorded it as an event already (with its figures).
  if (run.finishedAt && !events.some((e) => e.kind === 'success' || e.kind === 'failure')) {
    lines.push(run.status === 'failed' ? { at: run.finishedAt, level: 'error', message: `failed: ${run.error ?? ''}` } : { at: run.finishedAt, level: 'info', message: run.status });
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at));
}

export async function runDetail(orchestrator: Orchestrator, runId: string): Promise<RunDetail | undefined> {
  const { runs, queue, events } = orchestrator.state;
  const run = await runs.get(runId);
  if (!run) return undefined;
  const [messages, queueAttempts, recorded, quarantine, replayed] = await Promise.all([
    queue.messages(runId),
    queue.attempts(runId),
    events.events({ runId }),
    quarantinedLines(orchestrator, run),
    replayedLetters(queue, runId),
  ]);
  const attempts = numberedAcrossReplays(queueAttempts);
  const manifest = run.planned ? await runs.manifest(runId) : undefined;
  const byTask = new Map(messages.filter((m) => m.kind === 'task' && m.task).map((m) => [m.task?.id as string, m]));
  const tasks: TaskView[] = (manifest?.tasks ?? []).map((task) => {
    const message = byTask.get(task.id);
    // A task the queue holds no message for was not enqueued yet (or a finished run kept none).
    const history = attempts.filter((a) => a.kind === 'task' && a.taskId === task.id);
    const lastError = [...history].reverse().find((a) => a.error !== undefined)?.error;
    const status = message?.status ?? (run.status === 'success' ? 'done' : 'ready');
    // A task done at last has no current error (its failed attempts keep theirs, in the attempts).
    const error = status === 'done' ? undefined : (message?.error ?? lastError);
    return {
      id: task.id,
      objects: task.objects.length,
      bytes: task.bytes,
      status,
      // Counted across replays: the queue starts a replayed message's count again.
      attempts: Math.max(message?.attempts ?? 0, history.length),
      ...(error ? { error } : {}),
    };
  });
  const done = tasks.filter((t) => t.status === 'done').length;
  const view = runView(run, manifest ? { done, total: tasks.length } : undefined);
  // A replayed run: the time it lay failed until the replay is not time it took.
  const seconds = secondsTaken(view, replayed, recorded);
  return {
    run: {
      ...view,
      ...(seconds === undefined ? {} : { seconds }),
      source: formatLocation(run.request.source),
      lake: formatLocation(run.request.lake),
      format: run.request.format,
    },
    tasks,
    attempts: attempts.map(attemptView),
    entities: entityCounts(run),
    quarantine: { total: run.summary?.quarantined ?? quarantine.lines.length, lines: quarantine.lines },
    log: runLog(run, attempts, recorded, [...replayLines(replayed), ...(quarantine.note ? [quarantine.note] : [])]),
  };
}
