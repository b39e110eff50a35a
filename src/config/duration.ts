/**
 * Durations as people write them in configuration: `500ms`, `30s`, `10m`, `1h20m`, `2d`, or a
 * bare number of seconds. Parsed to milliseconds once, at load, so nothing downstream re-parses.
 */

/** What a duration looks like, for error messages here and in the configuration. */
export const DURATION_EXPECTED = 'a duration such as 500ms, 30s, 10m, 1h20m or 2d, or a number of seconds';

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const AMOUNT = String.raw`(\d+(?:\.\d+)?)`;
// Units in falling order, each at most once; `m(?!s)` keeps `500ms` from reading as 500 minutes.
const DURATION = new RegExp(`^(?:${AMOUNT}d)?(?:${AMOUNT}h)?(?:${AMOUNT}m(?!s))?(?:${AMOUNT}s)?(?:${AMOUNT}ms)?$`);
const SECONDS = new RegExp(`^${AMOUNT}$`);

/** Milliseconds in `text`; throws an Error saying what a duration looks like. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new Error(`expected ${DURATION_EXPECTED} (got ${text})`);
    return checked(Math.round(text * 1000), text);
  }
  const trimmed = text.trim();
  // An environment variable or quoted YAML value may carry a bare number: seconds, as unquoted.
  const seconds = SECONDS.exec(trimmed);
  if (seconds) return checked(Math.round(Number(seconds[1]) * 1000), text);
  const m = DURATION.exec(trimmed);
  if (trimmed === '' || !m) throw new Error(`expected ${DURATION_EXPECTED} (got ${JSON.stringify(text)})`);
  let ms = 0;
  UNITS.forEach(([, size], i) => {
    const amount = m[i + 1];
    if (amount !== undefined) ms += Number(amount) * size;
  });
  return checked(Math.round(ms), text);
}

function checked(ms: number, text: string | number): number {
  if (!Number.isSafeInteger(ms)) throw new Error(`expected ${DURATION_EXPECTED} (got ${JSON.stringify(text)}, too long)`);
  return ms;
}

/** The shortest form `parseDuration` reads back: 4800000 → `1h20m`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}
