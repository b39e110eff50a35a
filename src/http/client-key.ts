/**
 * Who is asking, for the login throttle: the peer address of the connection, never a header a
 * client could choose (X-Forwarded-For). An IPv4-mapped IPv6 address counts as its IPv4 address;
 * an IPv6 address counts by its /64, the block one host or household is usually given, so a
 * client cannot get a fresh allowance by stepping to the next address of its own block.
 * Behind a reverse proxy every request comes from the proxy: the per-client limit then acts as
 * a second global one.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

function hextets(address: string): string[] | undefined {
  const [head = '', tail, ...more] = address.split('::');
  if (more.length > 0) return undefined;
  const left = head === '' ? [] : head.split(':');
  if (tail === undefined) return left.length === 8 ? left : undefined;
  const right = tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return missing < 1 ? undefined : [...left, ...Array<string>(missing).fill('0'), ...right];
}

/** The key the throttle counts `address` under; an address it cannot read counts as its text. */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const bare = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1] as string;
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  const parts = hextets(bare);
  if (parts === undefined) return bare;
  return `${parts
    .slice(0, 4)
    .map((part) => Number.parseInt(part, 16).toString(16))
    .join(':')}::/64`;
}

/** The key of the client that sent this request (its connection's peer address). */
export function clientOf(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    address = undefined; // not served over a socket (an in-process request)
  }
  return clientKey(address);
}
