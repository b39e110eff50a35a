/**
 * The event-log port: what happened to runs that someone may want to hear about (success,
 * failure, retry, deadline miss, late data, quality), each recorded once under a key, and the
 * callback deliveries each event owes, kept until delivered or given up, so a crash neither
 * loses nor repeats an alert.
 */
import type { CallbackEvent, CallbackPayload, DeliveryOutcome } from './callbacks/callback-event.js';

export interface RecordedEvent {
  readonly id: number;
  readonly kind: CallbackEvent;
  readonly runId?: string;
  readonly lake?: string;
  readonly hour?: string;
  /** The same key is recorded once: `deadline_miss:<lake>:<hour>:landing`, … */
  readonly key: string;
  readonly payload: CallbackPayload;
  readonly at: string;
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

export interface CallbackDelivery {
  readonly id: number;
  readonly eventId: number;
  readonly event: CallbackEvent;
  readonly callback: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly httpStatus?: number;
  readonly error?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly payload: CallbackPayload;
}

export interface NewEvent {
  readonly kind: CallbackEvent;
  readonly key: string;
  readonly runId?: string;
  readonly lake?: string;
  readonly hour?: string;
  readonly payload: CallbackPayload;
  /** Names of the callbacks subscribed to this kind: one delivery each. */
  readonly callbacks: readonly string[];
}

export interface EventLog {
  /** Records the event and its deliveries in one step; false when its key was recorded before. */
  record(event: NewEvent): Promise<boolean>;
  /** Newest first: at most `limit` of them, from the `offset`-th. */
  events(options?: { kind?: CallbackEvent; runId?: string; limit?: number; offset?: number }): Promise<RecordedEvent[]>;
  /** How many events `events` lists in all (counted, not read). */
  countEvents(options?: { kind?: CallbackEvent; runId?: string }): Promise<number>;
  /** Takes the oldest pending delivery to one of `callbacks` for `owner` (one deliverer at a time per delivery). */
  claimDelivery(owner: string, callbacks: readonly string[]): Promise<CallbackDelivery | undefined>;
  settleDelivery(id: number, outcome: DeliveryOutcome): Promise<void>;
  /** Newest first: at most `limit` of them, from the `offset`-th. */
  deliveries(options?: { runId?: string; limit?: number; offset?: number }): Promise<CallbackDelivery[]>;
  /** How many deliveries `deliveries` lists in all (counted, not read). */
  countDeliveries(options?: { runId?: string }): Promise<number>;
  /** Deliveries to `callbacks` not delivered or given up yet. */
  pendingDeliveries(callbacks: readonly string[]): Promise<number>;
}
