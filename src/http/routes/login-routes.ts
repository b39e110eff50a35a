/**
 * `POST /api/login {token}` opens a session (session-store.ts) and sets its id as the UI's
 * cookie: HttpOnly, SameSite=Strict, Path=/, not Secure (the server speaks plain http), and Max-Age the
 * session's lifetime. Tries go through the login throttle (429 with Retry-After when spent).
 * `POST /api/logout` ends the session its cookie names, on the server, and clears the cookie.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as z from 'zod';
import { offeredToken, SESSION_COOKIE } from '../access-token.js';
import { clientOf } from '../client-key.js';
import { HttpError } from '../http-error.js';
import { jsonBody } from '../json-body.js';
import type { LoginThrottle } from '../login-throttle.js';
import type { SessionStore } from '../session-store.js';

const loginBody = z.strictObject({ token: z.string({ error: 'must be the token, as text' }).min(1, { error: 'must not be empty' }) });

export function loginRoutes(token: string | undefined, sessions: SessionStore, throttle: LoginThrottle): Hono {
  const app = new Hono();
  app.post('/login', async (c) => {
    const body = await jsonBody(c, loginBody, '{"token": "…"}');
    if (token === undefined) throw new HttpError(409, 'this server has no token to log in with (EVENTLAKE_TOKEN is not set): no login is needed');
    if (!offeredToken(throttle, clientOf(c), body.token, token)) throw new HttpError(401, 'that is not the token this server was started with');
    // Logging in again from a browser that still holds a session ends that one.
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    setCookie(c, SESSION_COOKIE, sessions.open(), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: Math.floor(sessions.limits.lifetimeMs / 1000),
    });
    return c.body(null, 204);
  });
  app.post('/logout', (c) => {
    sessions.revoke(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  return app;
}
