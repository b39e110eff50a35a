/**
 * What every request passes before a route sees it:
 * - DNS rebinding: on loopback, the Host header must name this machine (localhost, 127.0.0.1 or
 *   [::1], with the port served); a page on another name that resolves here is refused.
 * - CSRF: a request that changes state must be `application/json` (a cross-site form cannot send
 *   that without a preflight the server never grants) and, when the browser says where it comes
 *   from (Origin, Sec-Fetch-Site), come from this very origin.
 * - The token, when one is set: a live session's cookie or `Authorization: Bearer …` (under
 *   the login throttle), on every /api route but login and logout themselves.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isLoopback, offeredToken, SESSION_COOKIE } from './access-token.js';
import { clientOf } from './client-key.js';
import { HttpError } from './http-error.js';
import type { LoginThrottle } from './login-throttle.js';
import type { SessionStore } from './session-store.js';

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

const OPEN_PATHS = new Set(['/api/login', '/api/logout']);

export function requestGuard(options: GuardOptions, sessions: SessionStore, throttle: LoginThrottle): MiddlewareHandler {
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
    if (options.token !== undefined && path.startsWith('/api/') && !OPEN_PATHS.has(path)) {
      const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
      const allowed = bearer ? offeredToken(throttle, clientOf(c), (bearer[1] as string).trim(), options.token) : sessions.use(getCookie(c, SESSION_COOKIE));
      if (!allowed) throw new HttpError(401, 'this server needs its token: send Authorization: Bearer <EVENTLAKE_TOKEN>, or log in at /');
    }
    await next();
  };
}
