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

  /**
   * Waits until this process has nothing left to deliver, for at most `timeoutMs` (or until
   * `abort` resolves: a second Ctrl-C): a command delivers what it owes before it exits. What is
   * still being delivered then is left to the next process (its owner is dead by then).
   */
  async drain(timeoutMs: number, abort?: Promise<void>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let aborted = false;
    void abort?.then(() => (aborted = true));
    while (!aborted && Date.now() < deadline) {
      this.pump();
      const left = Math.max(0, deadline - Date.now());
      await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, left).unref()), abort]);
      if ((await this.log.pendingDeliveries(this.names)) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private get names(): string[] {
    return this.subscriptions.map((s) => s.name);
  }

  /** Deliveries to callbacks this process does not know (another config) are left to those that do. */
  private async deliverPending(): Promise<void> {
    for (;;) {
      const delivery = await this.log.claimDelivery(this.owner, this.names);
      if (!delivery) return;
      const subscription = this.subscriptions.find((s) => s.name === delivery.callback);
      if (!subscription) return;
      await this.log.settleDelivery(delivery.id, await deliverCallback(subscription.target, delivery.payload));
    }
  }
}
