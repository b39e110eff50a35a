/**
 * Delivers the callbacks the event log owes, one at a time, in the background of whatever
 * process is working: a slow or failing webhook never holds up a run or the scheduler. Each
 * delivery's outcome is recorded and shown by `eventlake status`.
 */
import type { EventLog } from '../event-log.js';
import type { CallbackSubscription } from './callback-event.js';
import { deliverCallback } from './deliver-callback.js';

export class CallbackDispatcher {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly log: EventLog,
    private readonly subscriptions: readonly CallbackSubscription[],
    private readonly owner: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  /** Starts delivering what is pending, unless a delivery round is already going. */
  pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverPending()
      .catch((err: unknown) => this.onError(err as Error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  /** Waits until nothing is pending (or `timeoutMs` passes): a command delivers before it exits. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.pump();
      await this.running;
      if ((await this.log.pendingDeliveries()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async deliverPending(): Promise<void> {
    for (;;) {
      const delivery = await this.log.claimDelivery(this.owner);
      if (!delivery) return;
      const subscription = this.subscriptions.find((s) => s.name === delivery.callback);
      const outcome = subscription
        ? await deliverCallback(subscription.target, delivery.payload)
        : { ok: false, attempts: 0, ms: 0, error: `no callback named ${delivery.callback} in the configuration any more` };
      await this.log.settleDelivery(delivery.id, outcome);
    }
  }
}
