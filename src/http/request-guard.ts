/**
 * What every request passes before a route sees it:
 * - DNS rebinding: on loopback, the Host header must name this machine (localhost, 127.0.0.1 or
 *   [::1], with the port served); a page on another name that resolves here is refused.
 * - CSRF: a request that changes state must be `application/json` (a cross-site form cannot send
 *   that without a preflight the server never grants) and, when the browser says where it comes
 *   from (Origin, Sec-Fetch-Site), come from this very origin.
 * - The token, when one is set: `Authorization: Bearer …` or the session cookie, on every /api
 *   route but the login itself.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isLoopback, sameSecret, SESSION_COOKIE, sessionValue, wrongTokenPause } from './access-token.js';
import { HttpError } from './http-error.js';

export interface GuardOptions {
  /** The address bound, as given (`127.0.0.1`, `localhost`, `0.0.0.0`, …). */
  readonly host: string;
  /** The port actually served (known once listening). */
  readonly port: () => number;
  readonly token: string | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function hostAllowed(header: string | undefined, options: GuardOptions): boolean {
  if (!isLoopback(options.host)) return true; // beyond loopback the token guards every request
  if (header === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.toLowerCase());
  if (!m) return false;
  const [, name, port] = m as unknown as [string, string, string | undefined];
  const bound = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host.toLowerCase();
  return [...LOOPBACK_NAMES, bound].includes(name) && Number(port ?? 80) === options.port();
}

function authorized(bearer: string | undefined, cookie: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(bearer ?? '');
  if (m) return sameSecret((m[1] as string).trim(), token);
  return cookie !== undefined && sameSecret(cookie, sessionValue(token));
}

export function requestGuard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!hostAllowed(c.req.header('host'), options)) {
      throw new HttpError(403, `the Host header ${JSON.stringify(c.req.header('host') ?? '')} does not name this server: open it as http://127.0.0.1:${options.port()}/`);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') throw new HttpError(415, `a ${c.req.method} request must send Content-Type: application/json`);
      const origin = c.req.header('origin');
      const expected = `${new URL(c.req.url).protocol}//${c.req.header('host') ?? ''}`;
      if (origin !== undefined && origin !== expected) throw new HttpError(403, `a request from another origin (${origin}) may not change anything here`);
      const site = c.req.header('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `a ${site} request may not change anything here`);
    }
    const path = c.req.path;
    if (options.token !== undefined && path.startsWith('/api/') && path !== '/api/login') {
      const bearer = c.req.header('authorization');
      const cookie = getCookie(c, SESSION_COOKIE);
      if (!authorized(bearer, cookie, options.token)) {
        // A credential that is wrong (not one that is missing: the UI's first call) costs time.
        if (bearer !== undefined || cookie !== undefined) await wrongTokenPause();
        c.header('WWW-Authenticate', 'Bearer realm="eventlake"');
        throw new HttpError(401, 'this server needs its token: send Authorization: Bearer <EVENTLAKE_TOKEN>, or log in at /');
      }
    }
    await next();
  };
}
