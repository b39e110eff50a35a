/** The plan stage: list the hour's source objects and cut them into tasks. */
import { randomUUID } from 'node:crypto';
import type { ObjectStore, SkippedEntry } from '../storage/object-store.js';
import type { Hour } from './hour.js';
import { inKeyOrder } from './key-order.js';
import { runIdFor } from './lake-layout.js';
import type { RunManifest, SourceObjectRef, Task, TaskSettings } from './run-manifest.js';
import { hourPrefixes, parseSourceObjectName, type SourceLayout } from './source-object-name.js';

/** Objects per task: small enough to balance two workers, big enough to amortise messages. */
export const TASK_BYTES = 4 * 1024 * 1024;

export interface PlanOptions extends Omit<TaskSettings, 'runId'> {
  /** The run's id when it already has one (a queued run); a new one otherwise. */
  readonly runId?: string;
  readonly store: ObjectStore;
  readonly hour: Hour;
  readonly layout: SourceLayout;
  readonly taskBytes?: number;
}

export function cutTasks(objects: readonly SourceObjectRef[], taskBytes = TASK_BYTES): Task[] {
  const tasks: Task[] = [];
  let batch: SourceObjectRef[] = [];
  let bytes = 0;
  const close = (): void => {
    tasks.push({ id: `t${String(tasks.length).padStart(5, '0')}`, objects: batch, bytes });
    batch = [];
    bytes = 0;
  };
  for (const object of objects) {
    batch.push(object);
    bytes += object.size;
    if (bytes >= taskBytes) close();
  }
  if (batch.length > 0) close();
  return tasks;
}

export async function planHour(options: PlanOptions): Promise<RunManifest> {
  const { store, hour, layout, taskBytes, runId, ...settings } = options;
  const listed = new Map<string, { size: number; etag: string }>();
  const skipped: SkippedEntry[] = [];
  const onSkipped = (entry: SkippedEntry): void => {
    skipped.push(entry);
  };
  for (const prefix of hourPrefixes(hour, layout)) {
    for await (const info of store.list(prefix, { onSkipped })) {
      const name = parseSourceObjectName(info.key);
      if (name === undefined) skipped.push({ key: info.key, reason: 'not an event object name (YYYY-MM-DD-HH-M-S-events.json[.gz])' });
      else if (name.date === hour.date && name.hour === hour.hour) listed.set(info.key, { size: info.size, etag: info.etag });
      // An object of another hour is simply not this run's.
    }
  }
  const objects = inKeyOrder([...listed], ([key]) => key).map(([key, { size, etag }], index) => ({ index, key, size, etag }));
  return {
    ...settings,
    runId: runId ?? runIdFor(hour, randomUUID().slice(0, 8)),
    hour,
    partitionKey: hour.label,
    sourceLocation: store.location,
    objects: objects.length,
    bytes: objects.reduce((n, o) => n + o.size, 0),
    skipped: inKeyOrder(skipped, (s) => s.key),
    tasks: cutTasks(objects, taskBytes),
    // Publishers compare it: an older plan never replaces a newer one's publish of the hour.
    plannedAt: new Date().toISOString(),
  };
}
