/**
 * The query parameters of a paged list, as GET /api/runs reads them and GET /api/dlq reads them
 * per list: `limit` (1..1000, 200 unless said) and an offset (a whole number from 0); anything
 * else is refused in one sentence.
 */
import { HttpError } from '../http-error.js';

/** The most a list answers in one call. */
export const MAX_LIST = 1000;
/** What a list answers unless `limit` says otherwise. */
export const DEFAULT_LIST = 200;

export function offsetParameter(value: string | undefined, name = 'offset'): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,9}$/.test(value)) throw new HttpError(400, `${name} must be a whole number from 0 (got ${JSON.stringify(value.slice(0, 20))})`);
  return Number(value);
}

export function limitParameter(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIST;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_LIST) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIST} (got ${JSON.stringify(value.slice(0, 20))})`);
  return n;
}
