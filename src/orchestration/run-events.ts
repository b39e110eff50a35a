/**
 * Records what happened to a run as an event, once per key, with one delivery for each callback
 * subscribed to its kind. Recording never throws at the caller: an event that cannot be
 * recorded is reported to `onError` and the work goes on.
 */
import type { CallbackEvent, CallbackPayload, CallbackSubscription } from './callbacks/callback-event.js';
import type { EventLog } from './event-log.js';
import type { RunStatus } from './run-store.js';

export interface RunRef {
  readonly id: string;
  readonly lake?: string;
  readonly hour: string;
  readonly status: RunStatus;
  readonly attempt: number;
  readonly error?: string | undefined;
}

export class RunEvents {
  constructor(
    private readonly log: EventLog,
    private readonly subscriptions: readonly CallbackSubscription[],
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  /** Records the event unless `key` was recorded before; true when this call recorded it. */
  async record(kind: CallbackEvent, key: string, run: RunRef, extra: Record<string, unknown> = {}): Promise<boolean> {
    const payload: CallbackPayload = {
      event: kind,
      run: { id: run.id, hour: run.hour, status: run.status, attempt: run.attempt, error: run.error ?? null },
      at: new Date().toISOString(),
      ...extra,
    };
    try {
      return await this.log.record({
        kind,
        key,
        runId: run.id,
        hour: run.hour,
        ...(run.lake === undefined ? {} : { lake: run.lake }),
        payload,
        callbacks: this.subscriptions.filter((s) => s.on.includes(kind)).map((s) => s.name),
      });
    } catch (err) {
      this.onError(err as Error);
      return false;
    }
  }
}
