/**
 * Where the process-task stage stops reading an object whole and streams it instead. Injectable
 * so tests reach the streamed paths with small objects; a run uses the defaults, unless a test
 * lowers the read-whole limit with TEST_EVENTLAKE_READ_WHOLE_BYTES.
 */

export interface ReadLimits {
  /** Objects up to this size are read whole, a few ahead; bigger ones are streamed. */
  readonly wholeObjectBytes: number;
  /**
   * A gzip object read whole is inflated in one call when its data is at most this (as its
   * trailer declares, and as inflating finds); a bigger one is inflated in pieces.
   */
  readonly oneCallInflateBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  wholeObjectBytes: 8 * 1024 * 1024,
  oneCallInflateBytes: 64 * 1024 * 1024,
};

/**
 * The test knob: `TEST_EVENTLAKE_READ_WHOLE_BYTES=<bytes>` lowers the read-whole limit of the
 * task processors built in this process (or a worker thread started with it in its environment).
 */
export const READ_WHOLE_TEST_VARIABLE = 'TEST_EVENTLAKE_READ_WHOLE_BYTES';

/**
 * The limits the test knob sets: none when it is unset or empty. A value that is not a whole
 * number of bytes from 0 to the default is refused, not ignored: ignored, it would leave a test
 * that means to stream its objects reading them whole, and passing without testing what it says.
 */
export function readLimitsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Partial<ReadLimits> {
  const text = env[READ_WHOLE_TEST_VARIABLE];
  if (text === undefined || text === '') return {};
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(bytes <= DEFAULT_READ_LIMITS.wholeObjectBytes)) {
    throw new Error(`${READ_WHOLE_TEST_VARIABLE} must be a whole number of bytes from 0 to ${DEFAULT_READ_LIMITS.wholeObjectBytes} (got "${text}"): it only lowers the read-whole limit, for tests`);
  }
  return { wholeObjectBytes: bytes };
}
