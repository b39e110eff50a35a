/** Exponential backoff: the first retry waits `delayMs`, each later one twice the one before, up to `maxDelayMs`. */
import type { RetryPolicy } from './work-queue.js';

export function retryDelayMs(failedAttempts: number, policy: Pick<RetryPolicy, 'delayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(policy.maxDelayMs, policy.delayMs * 2 ** Math.min(exponent, 30));
}
