/**
 * S3 requests by what they are billed as, from the request line s3rver saw (`METHOD /bucket/key?query`,
 * path-style). A copy is a PUT with a header, billed as a PUT: it is counted as one.
 */
import { S3_KINDS, type S3Kind } from './cloud-cost-prices.js';

export function s3KindOf(requestLine: string): S3Kind {
  const space = requestLine.indexOf(' ');
  const method = requestLine.slice(0, space);
  const target = requestLine.slice(space + 1);
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  const key = path.replace(/^\/[^/]*\/?/, '');
  if (query.has('uploadId') || query.has('uploads')) {
    if (method === 'DELETE') return 'DELETE';
    if (method === 'GET') return 'LIST';
    return 'MULTIPART';
  }
  switch (method) {
    case 'PUT':
      return 'PUT';
    case 'HEAD':
      return 'HEAD';
    case 'DELETE':
      return 'DELETE';
    case 'POST':
      // DeleteObjects is a POST; deletes are free, so it is counted with them.
      return query.has('delete') ? 'DELETE' : 'PUT';
    case 'GET':
      return key === '' ? 'LIST' : 'GET';
    default:
      return 'OTHER';
  }
}

export type S3Tally = Record<S3Kind, number>;

export function emptyTally(): S3Tally {
  return Object.fromEntries(S3_KINDS.map((k) => [k, 0])) as S3Tally;
}

/** The requests by kind; only those on `bucket` when given. */
export function tallyRequests(lines: readonly string[], bucket?: string): S3Tally {
  const tally = emptyTally();
  for (const line of lines) {
    if (bucket !== undefined && !line.slice(line.indexOf(' ') + 1).startsWith(`/${bucket}`)) continue;
    const rest = line.slice(line.indexOf(' ') + 1 + (bucket?.length ?? 0) + 1);
    if (bucket !== undefined && rest !== '' && !/^[/?]/.test(rest)) continue;
    tally[s3KindOf(line)] += 1;
  }
  return tally;
}

export function addTallies(a: S3Tally, b: S3Tally): S3Tally {
  const sum = emptyTally();
  for (const k of S3_KINDS) sum[k] = a[k] + b[k];
  return sum;
}
