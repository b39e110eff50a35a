/**
 * Who may talk to the server: loopback by default, a token of 16 characters or more required
 * beyond it (and any token everywhere once set), the UI's login sessions (random, ended by logout
 * and restarts), guessing throttled, DNS rebinding and CSRF refused, no path out of the UI folder.
 * (Session expiry on an injected clock: test/unit/web-session-access.test.ts.)
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

const servers: Served[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A JSON POST sent from another loopback address (the whole of 127.0.0.0/8 is this machine). */
function askFrom(localAddress: string, base: string, path: string, body: unknown): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function target(): Promise<string[]> {
  const lake = await tempDir();
  return ['--source', SAMPLE, '--lake', lake, '--state', `${lake}-state`, '--workers', '1'];
}

async function serve(env: Record<string, string> = {}, extra: string[] = []): Promise<Served> {
  const served = await startServed('serve', [...(await target()), ...extra], env);
  servers.push(served);
  return served;
}

describe('binding beyond loopback', () => {
  for (const [label, env] of [
    ['unset', {}],
    ['empty', { EVENTLAKE_TOKEN: '' }],
    ['blank', { EVENTLAKE_TOKEN: '   ' }],
  ] as const) {
    for (const command of ['serve', 'up'] as const) {
      it(`${command} --host 0.0.0.0 with the token ${label} exits at once with one sentence`, async () => {
        const result = await runCli([command, ...(await target()), '--host', '0.0.0.0', '--port', '0'], undefined, { ...env, EVENTLAKE_TOKEN: 'EVENTLAKE_TOKEN' in env ? env.EVENTLAKE_TOKEN : '' });
        expect(result.code).not.toBe(0);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/serving on 0\.0\.0\.0 reaches beyond this machine, so it needs a token: set EVENTLAKE_TOKEN/);
        expect(result.stdout).not.toContain('listening');
      });
    }
  }

  for (const command of ['serve', 'up'] as const) {
    it(`${command} --host 0.0.0.0 with a token under 16 characters exits at once with one sentence naming EVENTLAKE_TOKEN`, async () => {
      const result = await runCli([command, ...(await target()), '--host', '0.0.0.0', '--port', '0'], undefined, { EVENTLAKE_TOKEN: 's3cret-token-15' });
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/serving on 0\.0\.0\.0 reaches beyond this machine, so EVENTLAKE_TOKEN must be at least 16 characters \(it has 15\)/);
      expect(result.stderr).not.toContain('s3cret-token-15');
      expect(result.stdout).not.toContain('listening');
    });
  }

  it('with a token, 0.0.0.0 is served, and every API call needs the token', async () => {
    const served = await serve({ EVENTLAKE_TOKEN: 's3cret-token-of-16+' }, ['--host', '0.0.0.0']);
    const url = served.url.replace('0.0.0.0', '127.0.0.1');
    expect((await ask(url, '/api/health')).status).toBe(401);
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer s3cret-token-of-16+' } })).json).toMatchObject({ auth: true });
    // Beyond loopback the Host may be any name the machine is reached by: the token guards it.
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer s3cret-token-of-16+', host: 'eventlake.internal:1234' } })).status).toBe(200);
    expect(served.running.out.stdout + served.running.out.stderr).not.toContain('s3cret-token');
  });

  it('on loopback a short token is still accepted (the machine alone reaches it)', async () => {
    const { url } = await serve({ EVENTLAKE_TOKEN: 'short' });
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer short' } })).status).toBe(200);
  });

  it('a port already taken is named in one sentence', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', ...(await target()), '--port', String(port)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(`eventlake: port ${port} on 127.0.0.1 is taken by another program: choose another with --port (or server.port)`);
    } finally {
      blocker.close();
    }
  });

  it('a bad --port is named', async () => {
    for (const port of ['70000', 'http', '-1']) {
      const result = await runCli(['serve', ...(await target()), '--port', port]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/--port must be/);
    }
  });
});

describe('the token on loopback', () => {
  it('is required on every API route once set: bearer, or the login cookie; the UI page itself loads', async () => {
    const { url } = await serve({ EVENTLAKE_TOKEN: 'tok-123' });
    for (const path of ['/api/health', '/api/runs', '/api/dlq', '/api/lake']) {
      const answer = await ask(url, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 401 });
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(answer.json.error).toMatch(/needs its token/);
    }
    expect((await ask(url, '/api/runs', { body: { hour: SAMPLE_HOUR } })).status).toBe(401);
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer tok-12' } })).status).toBe(401);
    expect((await ask(url, '/api/health', { headers: { authorization: 'Basic tok-123' } })).status).toBe(401);
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
    expect((await ask(url, '/')).status).not.toBe(401);

    const wrong = await ask(url, '/api/login', { body: { token: 'guess' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await ask(url, '/api/login', { body: { token: '' } })).status).toBe(400);
    const login = await ask(url, '/api/login', { body: { token: 'tok-123' } });
    expect(login.status).toBe(204);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain('tok-123');
    const session = cookie.split(';')[0] as string;
    expect((await ask(url, '/api/health', { headers: { cookie: session } })).status).toBe(200);
    expect((await ask(url, '/api/health', { headers: { cookie: `${session}x` } })).status).toBe(401);
    const logout = await ask(url, '/api/logout', { body: {}, headers: { cookie: session } });
    expect(logout.status).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/eventlake_session=;/);
    // Logging out ends the session on the server: the old cookie, kept and sent again, is refused.
    expect((await ask(url, '/api/health', { headers: { cookie: session } })).status).toBe(401);
  });

  it('gives every login its own random session, and forgets them all on a restart', async () => {
    const args = await target();
    const first = await startServed('serve', args, { EVENTLAKE_TOKEN: 'tok-123' });
    servers.push(first);
    const sessions = [];
    for (let i = 0; i < 2; i++) {
      const login = await ask(first.url, '/api/login', { body: { token: 'tok-123' } });
      expect(login.status).toBe(204);
      sessions.push(String(login.headers['set-cookie']).split(';')[0] as string);
    }
    const [one, two] = sessions as [string, string];
    expect(one).not.toBe(two);
    expect(one).toMatch(/^eventlake_session=[A-Za-z0-9_-]{43}$/);
    for (const session of sessions) expect((await ask(first.url, '/api/health', { headers: { cookie: session } })).status).toBe(200);

    await first.stop();
    const again = await startServed('serve', args, { EVENTLAKE_TOKEN: 'tok-123' });
    servers.push(again);
    for (const session of sessions) expect((await ask(again.url, '/api/health', { headers: { cookie: session } })).status).toBe(401);
    expect((await ask(again.url, '/api/health', { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
  });

  it('throttles guessing: of 30 wrong tokens sent at once most get 429 with Retry-After; the right token from another address still logs in', async () => {
    const { url } = await serve({ EVENTLAKE_TOKEN: 'the-right-token-1234' });
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(url, '/api/login', { body: { token: `guess-${i}` } })));
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(24);
    const throttled = guesses.find((g) => g.status === 429);
    expect(Number(throttled?.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled?.json.error).toMatch(/^too many wrong tokens from this address: try again in \d+ s$/);
    // The guessing address is refused even the right token for now: a lucky guess would tell it nothing.
    expect((await ask(url, '/api/login', { body: { token: 'the-right-token-1234' } })).status).toBe(429);
    expect((await ask(url, '/api/health', { headers: { authorization: 'Bearer the-right-token-1234' } })).status).toBe(429);

    // 127.0.0.2 is this machine too, but another client to the throttle.
    const other = await askFrom('127.0.0.2', url, '/api/login', { token: 'the-right-token-1234' });
    expect(other.status).toBe(204);
    const session = String(other.headers['set-cookie']).split(';')[0] as string;
    expect((await ask(url, '/api/health', { headers: { cookie: session } })).status).toBe(200);
  });

  it('login without a token set answers 409: nothing to log in to', async () => {
    const { url } = await serve();
    const answer = await ask(url, '/api/login', { body: { token: 'anything' } });
    expect(answer.status).toBe(409);
    expect(answer.json.error).toMatch(/no token/);
  });
});

describe('requests a hostile page could send', () => {
  it('refuses a foreign Host (DNS rebinding), on reads too', async () => {
    const { url } = await serve();
    const port = new URL(url).port;
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost:${Number(port) + 1}`, 'localhost']) {
      const answer = await ask(url, '/api/health', { headers: { host } });
      expect({ host, status: answer.status }).toEqual({ host, status: 403 });
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      expect((await ask(url, '/api/health', { headers: { host } })).status).toBe(200);
    }
  });

  it('refuses cross-origin and non-JSON writes (CSRF); same-origin JSON passes', async () => {
    const { url } = await serve();
    const origin = url.replace(/\/$/, '');
    const body = JSON.stringify({ hour: '2019-06-01T10' });
    const refused: [Record<string, string>, number][] = [
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415],
      [{ 'content-type': 'text/plain' }, 415],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, 415],
      [{}, 415],
      [{ 'content-type': 'application/json', origin: 'http://evil.example' }, 403],
      [{ 'content-type': 'application/json', origin: 'null' }, 403],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, 403],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'same-site' }, 403],
    ];
    for (const [headers, status] of refused) {
      const answer = await ask(url, '/api/runs', { method: 'POST', body, headers });
      expect({ headers, status: answer.status }).toEqual({ headers, status });
    }
    const runs = await ask(url, '/api/runs');
    expect(runs.json.runs).toEqual([]);
    const ok = await ask(url, '/api/runs', { method: 'POST', body, headers: { 'content-type': 'application/json; charset=utf-8', origin, 'sec-fetch-site': 'same-origin' } });
    expect(ok.status).toBe(201);
  });

  it('serves only the built UI files by name: no path reaches the filesystem', async () => {
    const { url } = await serve();
    for (const path of ['/../../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/src/cli/main.ts', '/dist/ui/index.html', '/.eventlake/eventlake.db']) {
      const answer = await ask(url, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.text).not.toMatch(/"name": "eventlake"|root:/);
    }
    const page = await ask(url, '/');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });
});
