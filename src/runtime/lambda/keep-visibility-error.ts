/**
 * A task failure after which the message keeps the queue's own visibility timeout instead of the
 * short backoff of retry-visibility.ts: its retry must not come sooner (a close another
 * invocation holds, whose claim may stand until a minute past that invocation's timeout).
 */
export class KeepVisibilityError extends Error {
  override readonly name = 'KeepVisibilityError';
}
