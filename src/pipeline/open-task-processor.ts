/**
 * The process-task stage set up for a run's settings, the same wherever it runs (a worker
 * thread, the calling thread, a Lambda invocation): the source opened from the plan, the plan's
 * format, the default entities, and the read limits (the test knob, when a test sets it).
 */
import { defaultRegistry, type EntityRegistry } from '../events/entity-registry.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import { readLimitsFromEnv } from './read-limits.js';
import type { TaskSettings } from './run-manifest.js';
import { TaskProcessor } from './task-processor.js';

export async function openTaskProcessor(settings: TaskSettings, scratchDir: string, registry: EntityRegistry = defaultRegistry()): Promise<TaskProcessor> {
  return new TaskProcessor(settings, scratchDir, {
    store: await openObjectStore(settings.source),
    registry,
    format: await loadLakeFormat(settings.format),
    limits: readLimitsFromEnv(),
  });
}
