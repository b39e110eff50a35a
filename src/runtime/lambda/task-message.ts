/**
 * What the fan-out sends and the Lambda worker receives, one task per message: everything the
 * process-task stage needs, as plain JSON, checked on arrival (a message is input like any other).
 */
import { z } from 'zod';
import type { Task, TaskSettings } from '../../pipeline/run-manifest.js';
import type { LakeConfig } from '../../storage/lake-config.js';

export const TASK_MESSAGE_VERSION = 1;

export interface TaskMessage {
  readonly version: typeof TASK_MESSAGE_VERSION;
  /** The hour's label, e.g. `2019-06-01T15`: the run's partition key. */
  readonly hour: string;
  readonly lake: LakeConfig;
  readonly settings: TaskSettings;
  readonly task: Task;
  /** How many tasks the run has: the worker that finishes the last one closes the hour. */
  readonly tasks: number;
}

const storeConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), root: z.string().min(1) }),
  z.object({
    kind: z.literal('s3'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    // As parseLocation makes it: empty, or parts ending in '/', none of them empty, '.' or '..'.
    prefix: z.string().refine((p) => p === '' || (p.endsWith('/') && p.slice(0, -1).split('/').every((part) => part !== '' && part !== '.' && part !== '..')), 'a prefix as s3://bucket/prefix/ gives it'),
  }),
]);

const taskMessage = z.object({
  version: z.literal(TASK_MESSAGE_VERSION),
  hour: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/),
  lake: storeConfig,
  settings: z.object({
    runId: z.string().min(1),
    source: storeConfig,
    format: z.enum(['parquet', 'avro']),
    codec: z.string(),
    targetFileBytes: z.number().int().positive(),
    maxLineBytes: z.number().int().positive(),
  }),
  task: z.object({
    id: z.string().regex(/^t\d{5,}$/),
    objects: z.array(z.object({ index: z.number().int().nonnegative(), key: z.string().min(1), size: z.number().int().nonnegative(), etag: z.string().optional() })).min(1),
    bytes: z.number().int().nonnegative(),
  }),
  tasks: z.number().int().positive(),
});

/** Parses a message body; throws one sentence naming what is wrong. */
export function parseTaskMessage(body: string): TaskMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the message body is not JSON');
  }
  const parsed = taskMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the message is not an eventlake task: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data as TaskMessage;
}
