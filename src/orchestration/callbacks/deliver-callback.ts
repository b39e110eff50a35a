/**
 * Delivering a callback to its target, whatever its kind. Never throws: the orchestrator records
 * the outcome and carries on, because a callback that fails must not fail the run it reports.
 */
import type { CallbackPayload, CallbackTarget, DeliveryOutcome } from './callback-event.js';
import { deliverCommand } from './command-delivery.js';
import { failedBeforeAttempt, type DeliveryOptions } from './delivery-attempts.js';
import { deliverWebhook } from './webhook-delivery.js';

export async function deliverCallback(target: CallbackTarget, payload: CallbackPayload, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const started = performance.now();
  try {
    switch (target.kind) {
      case 'webhook':
        return await deliverWebhook(target, payload, options);
      case 'command':
        return await deliverCommand(target, payload, options);
      default: {
        const kind: unknown = (target as { kind: unknown }).kind;
        return failedBeforeAttempt(`callback target kind ${JSON.stringify(kind)} is not webhook or command`, started);
      }
    }
  } catch (error) {
    // Only a bug gets here. Its message is left out: it might quote a header or a URL.
    const name = error instanceof Error ? error.name : typeof error;
    return failedBeforeAttempt(`callback delivery failed unexpectedly (${name})`, started);
  }
}
