/**
 * The HTTP application's guard and login routes in-process, on an injected clock: a session's
 * cookie works until it has been idle too long or has lived its lifetime; wrong tokens, at login
 * or as a Bearer token, are throttled per client address with 429 and Retry-After. (The routes
 * that need the application layer are never reached here: see test/e2e/http-api-security.test.ts.)
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ApiContext } from '../../src/http/api-context.js';
import { apiApp } from '../../src/http/api-app.js';
import { PER_CLIENT_BURST, PER_CLIENT_REFILL_MS } from '../../src/http/login-throttle.js';
import { SESSION_IDLE_MS, SESSION_LIFETIME_MS } from '../../src/http/session-store.js';

const TOKEN = 'a-token-of-thirty-two-characters';
/** No route these tests reach uses the application layer: an empty one stands in. */
const unusedApi = { orchestrator: {} } as unknown as ApiContext;

function served() {
  let at = 1_700_000_000_000;
  const app = apiApp({ api: unusedApi, guard: { host: '127.0.0.1', port: () => 8080, token: TOKEN }, assets: new Map(), log: pino({ enabled: false }), now: () => at });
  const send = (path: string, options: { from?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    app.request(
      `http://127.0.0.1:8080${path}`,
      {
        method: options.body === undefined ? 'GET' : 'POST',
        headers: { host: '127.0.0.1:8080', ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      },
      { incoming: { socket: { remoteAddress: options.from ?? '127.0.0.1' } } },
    );
  const login = async (from?: string): Promise<string> => {
    const answer = await send('/api/login', { body: { token: TOKEN }, ...(from === undefined ? {} : { from }) });
    expect(answer.status).toBe(204);
    return (answer.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };
  // Past the guard, an unknown API path answers 404; refused by it, 401.
  const status = async (cookie: string): Promise<number> => (await send('/api/no-such-route', { headers: { cookie } })).status;
  return { send, login, status, advance: (ms: number) => (at += ms) };
}

describe('sessions over HTTP (injected clock)', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for the whole site that lasts the session’s lifetime', async () => {
    const { send } = served();
    const answer = await send('/api/login', { body: { token: TOKEN } });
    const cookie = answer.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^eventlake_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toContain(`Max-Age=${SESSION_LIFETIME_MS / 1000}`);
    expect(cookie).not.toMatch(/Secure/); // served over plain http
  });

  it('refuses a cookie left idle too long', async () => {
    const { login, status, advance } = served();
    const cookie = await login();
    advance(SESSION_IDLE_MS - 1000);
    expect(await status(cookie)).toBe(404);
    advance(SESSION_IDLE_MS - 1000);
    expect(await status(cookie)).toBe(404);
    advance(SESSION_IDLE_MS);
    expect(await status(cookie)).toBe(401);
  });

  it('refuses a cookie used all along once its lifetime is over', async () => {
    const { login, status, advance } = served();
    const cookie = await login();
    const step = SESSION_IDLE_MS / 2;
    for (let spent = step; spent < SESSION_LIFETIME_MS; spent += step) {
      advance(step);
      expect(await status(cookie)).toBe(404);
    }
    advance(step);
    expect(await status(cookie)).toBe(401);
    expect(await status('eventlake_session=')).toBe(401);
  });

  it('refuses the old cookie after logout and after a second login from the same browser', async () => {
    const { send, login, status } = served();
    const first = await login();
    const second = (await send('/api/login', { body: { token: TOKEN }, headers: { cookie: first } })).headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(second).not.toBe(first);
    expect(await status(first)).toBe(401);
    expect(await status(second)).toBe(404);
    expect((await send('/api/logout', { body: {}, headers: { cookie: second } })).status).toBe(204);
    expect(await status(second)).toBe(401);
  });
});

describe('the login throttle over HTTP (injected clock)', () => {
  it('answers 429 with Retry-After once a client has spent its wrong tries, at login and with Bearer alike, until time refills them', async () => {
    const { send, login, advance } = served();
    for (let i = 0; i < PER_CLIENT_BURST - 1; i++) expect((await send('/api/login', { from: '10.0.0.5', body: { token: `guess-${i}` } })).status).toBe(401);
    expect((await send('/api/no-such-route', { from: '10.0.0.5', headers: { authorization: 'Bearer guess' } })).status).toBe(401);

    const refused = await send('/api/login', { from: '10.0.0.5', body: { token: TOKEN } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(PER_CLIENT_REFILL_MS / 1000));
    expect(((await refused.json()) as { error: string }).error).toBe(`too many wrong tokens from this address: try again in ${PER_CLIENT_REFILL_MS / 1000} s`);
    expect((await send('/api/no-such-route', { from: '10.0.0.5', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(429);

    // Others are not held up; the throttled client is let in once a try has refilled.
    await login('10.0.0.6');
    expect((await send('/api/no-such-route', { from: '10.0.0.7', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    advance(PER_CLIENT_REFILL_MS);
    await login('10.0.0.5');
  });
});
