/** `POST /api/login {token}` sets the UI's session cookie; `POST /api/logout` clears it. */
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import * as z from 'zod';
import { sameSecret, SESSION_COOKIE, sessionValue, wrongTokenPause } from '../access-token.js';
import { HttpError } from '../http-error.js';
import { jsonBody } from '../json-body.js';

const loginBody = z.strictObject({ token: z.string({ error: 'must be the token, as text' }).min(1, { error: 'must not be empty' }) });

export function loginRoutes(token: string | undefined): Hono {
  const app = new Hono();
  app.post('/login', async (c) => {
    const body = await jsonBody(c, loginBody, '{"token": "…"}');
    if (token === undefined) throw new HttpError(409, 'this server has no token to log in with (EVENTLAKE_TOKEN is not set): no login is needed');
    if (!sameSecret(body.token, token)) {
      await wrongTokenPause();
      throw new HttpError(401, 'that is not the token this server was started with');
    }
    setCookie(c, SESSION_COOKIE, sessionValue(token), { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.body(null, 204);
  });
  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  return app;
}
