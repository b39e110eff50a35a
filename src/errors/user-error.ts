/**
 * An error a person can fix: its message is one sentence naming what to fix, printed
 * without a stack trace. Anything else is a bug and shows its stack with --debug.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}
