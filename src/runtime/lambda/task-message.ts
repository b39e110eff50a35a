/**
 * What the fan-out sends and the Lambda worker receives, one task per message: ids only, the run
 * and one of its tasks. Everything else (the task's objects, the source, the lake, the settings)
 * the worker reads from the run's plan in the deployment's own lake (planned-task.ts), so a
 * message can name no store, no object and no task the plan does not list.
 *
 * A message with any other field is refused, not trimmed: version 1 messages carried their own
 * task, source and lake, and a body that still does is either from a producer older than this
 * worker (its run is fanned out again with --replace) or forged; either way the dead-letter
 * queue keeps it with a sentence, where silently dropping the fields would hide it.
 */
import { z } from 'zod';

export const TASK_MESSAGE_VERSION = 2;

export interface TaskMessage {
  readonly version: typeof TASK_MESSAGE_VERSION;
  /** `<hour>-<suffix>`, e.g. `2019-06-01T15-1a2b3c4d`: the run's hour is in its name. */
  readonly runId: string;
  /** `t00000`, …: a task of the run's plan. */
  readonly taskId: string;
}

/** A run id as the planner makes it: an hour label, `-`, letters and digits (nothing a key could climb out with). */
export const RUN_ID = /^\d{4}-\d{2}-\d{2}T\d{2}-[A-Za-z0-9]{1,64}$/;
export const TASK_ID = /^t\d{5,}$/;

const taskMessage = z
  .object({
    version: z.literal(TASK_MESSAGE_VERSION),
    runId: z.string().regex(RUN_ID, 'not a run id like 2019-06-01T15-1a2b3c4d'),
    taskId: z.string().regex(TASK_ID, 'not a task id like t00000'),
  })
  .strict();

export function taskMessageOf(runId: string, taskId: string): TaskMessage {
  return { version: TASK_MESSAGE_VERSION, runId, taskId };
}

/** One task's message body. */
export function taskMessageBody(runId: string, taskId: string): string {
  return JSON.stringify(taskMessageOf(runId, taskId));
}

/** Parses a message body; throws one sentence naming what is wrong. */
export function parseTaskMessage(body: string): TaskMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the message body is not JSON');
  }
  if (typeof json === 'object' && json !== null && (json as { version?: unknown }).version === 1) {
    throw new Error(
      'the message is an eventlake task message of version 1, which carries its own task, source and lake; this worker takes only ids (version 2) and reads the rest from the run\'s plan: fan the hour out again with --replace',
    );
  }
  const parsed = taskMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new Error(`the message is not an eventlake task: it may carry only version, runId and taskId, not ${issue.keys.join(', ')}`);
    }
    throw new Error(`the message is not an eventlake task: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
