/**
 * Attempts and retries, shared by every kind of target: the first attempt, then up to `retries`
 * more after a short exponential backoff, and one outcome for the whole delivery.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryOutcome } from './callback-event.js';

export interface DeliveryOptions {
  /** The wait before the first retry, doubled before each further one (default 1 s). */
  readonly retryDelayMs?: number;
  /** Aborted: the delivery is given up at once (the process is stopping; the next one makes it). */
  readonly signal?: AbortSignal;
}

/** What one attempt found; the error is one sentence with no secret in it. */
export interface AttemptResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
}

export const RETRY_DELAY_MS = 1000;
/** No single wait longer than this, so a generous `retries` still finishes in minutes. */
const MAX_RETRY_DELAY_MS = 30_000;

export async function attemptWithRetries(
  retries: number,
  options: DeliveryOptions,
  attempt: (n: number) => Promise<AttemptResult>,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const attempts = 1 + Math.max(0, Math.floor(Number.isFinite(retries) ? retries : 0));
  const baseDelay = Math.max(0, options.retryDelayMs ?? RETRY_DELAY_MS);
  let last: AttemptResult = { ok: false };
  for (let n = 1; n <= attempts; n++) {
    if (n > 1) await sleep(Math.min(baseDelay * 2 ** (n - 2), MAX_RETRY_DELAY_MS), undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    if (options.signal?.aborted) return outcome({ ok: false, error: 'given up: the process stopped' }, n - 1, started);
    last = await attempt(n);
    if (last.ok) return outcome(last, n, started);
  }
  return outcome(last, attempts, started);
}

/** An outcome for a delivery that failed before any attempt, e.g. on a missing variable. */
export function failedBeforeAttempt(error: string, started: number): DeliveryOutcome {
  return { ok: false, attempts: 0, error, ms: elapsed(started) };
}

function outcome(result: AttemptResult, attempts: number, started: number): DeliveryOutcome {
  return {
    ok: result.ok,
    attempts,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.ok || result.error === undefined ? {} : { error: result.error }),
    ms: elapsed(started),
  };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** A timeout as people write it: 250ms, 2s, 1.5s. */
export function durationText(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}
