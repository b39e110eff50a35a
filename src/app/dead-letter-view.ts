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

export function deliveryView(delivery: CallbackDelivery): DeliveryView {
  return {
    id: delivery.id,
    event: delivery.event,
    callback: delivery.callback,
    status: delivery.status,
    attempts: delivery.attempts,
    ...(delivery.httpStatus === undefined ? {} : { httpStatus: delivery.httpStatus }),
    ...(delivery.error === undefined ? {} : { error: delivery.error }),
    createdAt: delivery.createdAt,
    ...(delivery.finishedAt === undefined ? {} : { finishedAt: delivery.finishedAt }),
  };
}
