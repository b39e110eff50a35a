/**
 * Delivers the callbacks the event log owes, in the background of whatever process is working:
 * a slow or failing webhook never holds up a run or the scheduler. Each callback has its own
 * lane (its deliveries go one at a time, oldest first, so a receiver sees them in order), lanes
 * run side by side up to a total limit, so a receiver that never answers holds back its own
 * deliveries only. Each delivery's outcome is recorded and shown by `eventlake status`.
 */
import type { EventLog } from '../event-log.js';
import type { CallbackSubscription } from './callback-event.js';
import { deliverCallback } from './deliver-callback.js';
import { DeliverySlots } from './delivery-slots.js';

/** Deliveries in flight at once in one process, over all callbacks. */
export const DELIVERY_CONCURRENCY = 8;

export interface DispatcherOptions {
  /** Deliveries in flight at once, over all callbacks (default 8). */
  readonly concurrency?: number;
}

export class CallbackDispatcher {
  /** The running lane of each callback, by name. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Lanes asked to look again once their current round ends. */
  private readonly again = new Set<string>();
  private readonly slots: DeliverySlots;
  /** Deliveries claimed and not yet settled. */
  private delivering = 0;
  /** Aborted by `abandon()`: deliveries in flight end, and nothing more is claimed. */
  private readonly stopping = new AbortController();
  private readonly subscriptions: readonly CallbackSubscription[];

  constructor(
    private readonly log: EventLog,
    subscriptions: readonly CallbackSubscription[],
    private readonly owner: string,
    private readonly onError: (err: Error) => void = () => undefined,
    options: DispatcherOptions = {},
  ) {
    // One lane per name: a second subscription of the same name was never delivered to before either.
    const byName = new Map<string, CallbackSubscription>();
    for (const s of subscriptions) if (!byName.has(s.name)) byName.set(s.name, s);
    this.subscriptions = [...byName.values()];
    this.slots = new DeliverySlots(options.concurrency ?? DELIVERY_CONCURRENCY);
  }

  /** Starts delivering what is pending, in each lane not already delivering. */
  pump(): void {
    for (const subscription of this.subscriptions) this.pumpLane(subscription);
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
      await Promise.race([this.settled(), new Promise((resolve) => setTimeout(resolve, left).unref()), abort]);
      if ((await this.log.pendingDeliveries(this.names)) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Gives up the deliveries in flight (a webhook that does not answer, a command still running)
   * and claims no more: they stay claimed by this process and go to the next one once it has
   * exited. Answers how many were given up.
   */
  abandon(): number {
    const left = this.delivering;
    this.stopping.abort();
    return left;
  }

  /** Deliveries under way now (a stop at once leaves them to the next process). */
  get inFlight(): number {
    return this.delivering;
  }

  private get names(): string[] {
    return this.subscriptions.map((s) => s.name);
  }

  /** Resolves when every lane running now has finished its round. */
  private async settled(): Promise<void> {
    await Promise.all(this.lanes.values());
  }

  private pumpLane(subscription: CallbackSubscription): void {
    const { name } = subscription;
    if (this.lanes.has(name)) {
      this.again.add(name);
      return;
    }
    const lane = this.deliverPending(subscription)
      .catch((err: unknown) => this.onError(err as Error))
      .finally(() => {
        this.lanes.delete(name);
        if (this.again.delete(name)) this.pumpLane(subscription);
      });
    this.lanes.set(name, lane);
  }

  /** One callback's deliveries, oldest first, one at a time; a claim is made only once a slot is free. */
  private async deliverPending(subscription: CallbackSubscription): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const release = await this.slots.take();
      try {
        if (signal.aborted) return;
        const delivery = await this.log.claimDelivery(this.owner, [subscription.name]);
        if (!delivery) return;
        this.delivering++;
        try {
          const outcome = await deliverCallback(subscription.target, delivery.payload, { signal });
          // Given up half-way: no outcome is recorded; the next process delivers it.
          if (signal.aborted) return;
          await this.log.settleDelivery(delivery.id, outcome);
        } finally {
          this.delivering--;
        }
      } finally {
        release();
      }
    }
  }
}
