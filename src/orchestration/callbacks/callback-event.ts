/**
 * What a callback is told and where it goes: the contract between the orchestrator that records
 * events, the configuration that names the targets, and the deliveries that carry them.
 */
import type { RunStatus } from '../run-store.js';

export const CALLBACK_EVENTS = ['success', 'failure', 'retry', 'deadline_miss', 'late_data', 'quality'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The JSON a webhook receives as its body and a command on stdin. */
export interface CallbackPayload {
  readonly event: CallbackEvent;
  readonly run: {
    readonly id: string;
    readonly hour: string;
    readonly status: RunStatus;
    readonly attempt: number;
    readonly error: string | null;
  };
  /** When the event happened, ISO 8601 UTC. */
  readonly at: string;
  /** Event-specific fields, e.g. `deadline`, `objects` (late data), `quarantinedShare`. */
  readonly [extra: string]: unknown;
}

export type CallbackTarget =
  | {
      readonly kind: 'webhook';
      readonly url: string;
      readonly timeoutMs: number;
      /** Further attempts after the first fails. */
      readonly retries: number;
      /** Values may name environment variables as `${env:NAME}`, read at delivery, never logged. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'command';
      /** Run by the shell, the payload on its stdin; exit code 0 is a delivery. */
      readonly command: string;
      readonly timeoutMs: number;
      readonly retries: number;
    };

export interface CallbackSubscription {
  /** For people and the delivery log: `callbacks[0]` or the name the config gives. */
  readonly name: string;
  readonly on: readonly CallbackEvent[];
  readonly target: CallbackTarget;
}

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  /** The HTTP status of the last attempt, or the command's exit code. */
  readonly status?: number;
  /** One sentence, with no header value or credential in it. */
  readonly error?: string;
  readonly ms: number;
}
