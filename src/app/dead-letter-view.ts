/** Dead letters, deadline misses and callback deliveries as the API and the UI show them. */
import type { CallbackDelivery, RecordedEvent } from '../orchestration/event-log.js';
import type { DeadLetter } from '../orchestration/work-queue.js';
import type { DeadlineMissView, DeadLetterView, DeliveryView } from './api-views.js';

export function deadLetterView(letter: DeadLetter): DeadLetterView {
  return {
    id: letter.id,
    runId: letter.runId,
    hour: letter.hour,
    kind: letter.kind,
    ...(letter.taskId === undefined ? {} : { taskId: letter.taskId }),
    attempts: letter.attempts,
    error: letter.error,
    deadAt: letter.deadAt,
    ...(letter.replayedAt === undefined ? {} : { replayedAt: letter.replayedAt }),
  };
}

export function deadlineMissView(event: RecordedEvent): DeadlineMissView {
  return {
    id: event.id,
    ...(event.hour === undefined ? {} : { hour: event.hour }),
    ...(event.runId === undefined ? {} : { runId: event.runId }),
    at: event.at,
    payload: event.payload,
  };
}

/**
 * The state records one number per delivery: a webhook's HTTP status or a command's exit code.
 * Which it is comes from the callback's kind in the config (`kinds`, by callback name).
 */
export function deliveryView(delivery: CallbackDelivery, kinds: ReadonlyMap<string, 'webhook' | 'command'> = new Map()): DeliveryView {
  const target = kinds.get(delivery.callback) ?? 'unknown';
  const code = delivery.httpStatus;
  const codeField = code === undefined ? {} : target === 'webhook' ? { httpStatus: code } : target === 'command' ? { exitCode: code } : { code };
  const run = (delivery.payload as { run?: { id?: unknown; hour?: unknown } } | undefined)?.run;
  return {
    id: delivery.id,
    event: delivery.event,
    ...(typeof run?.id === 'string' ? { runId: run.id } : {}),
    ...(typeof run?.hour === 'string' ? { hour: run.hour } : {}),
    callback: delivery.callback,
    target,
    status: delivery.status,
    attempts: delivery.attempts,
    ...codeField,
    ...(delivery.error === undefined ? {} : { error: delivery.error }),
    createdAt: delivery.createdAt,
    ...(delivery.finishedAt === undefined ? {} : { finishedAt: delivery.finishedAt }),
  };
}
