import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackPayload, CallbackTarget } from '../../src/orchestration/callbacks/callback-event.js';
import { deliverCallback } from '../../src/orchestration/callbacks/deliver-callback.js';
import { deliverCommand } from '../../src/orchestration/callbacks/command-delivery.js';
import { deliverWebhook } from '../../src/orchestration/callbacks/webhook-delivery.js';
import { tempDir } from '../helpers/fixtures.js';

const PAYLOAD: CallbackPayload = {
  event: 'failure',
  run: { id: 'run-2019-06-01T15-1', hour: '2019-06-01T15', status: 'failed', attempt: 2, error: 'source folder "/data" does not exist.' },
  at: '2019-06-01T16:10:02.000Z',
  deadline: '2019-06-01T17:00:00.000Z',
};
const FAST = { retryDelayMs: 10 };
const SECRET = 'tok-3f9a-very-secret';
const PASSWORD = 'pa55-w0rd-hidden';
const QUERY_TOKEN = 'qtok-77c1-hidden';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real loopback server; `answer` says what the n-th request (from 1) gets, or 'hang'. */
async function server(answer: (n: number) => number | 'hang'): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  const srv = createServer((req, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      const status = answer(received.length);
      if (status !== 'hang') res.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  servers.push(srv);
  return { base: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, received };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (srv) =>
        new Promise<void>((resolve) => {
          srv.closeAllConnections();
          srv.close(() => resolve());
        }),
    ),
  );
  delete process.env['EVENTLAKE_TEST_TOKEN'];
});

function webhook(url: string, extra: Partial<Extract<CallbackTarget, { kind: 'webhook' }>> = {}): Extract<CallbackTarget, { kind: 'webhook' }> {
  return { kind: 'webhook', url, timeoutMs: 2000, retries: 0, headers: {}, ...extra };
}

function command(text: string, extra: Partial<Extract<CallbackTarget, { kind: 'command' }>> = {}): Extract<CallbackTarget, { kind: 'command' }> {
  return { kind: 'command', command: text, timeoutMs: 5000, retries: 0, ...extra };
}

/** A single-quoted shell word. */
const sh = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Alive unless gone or a zombie waiting for a parent that may never reap it. */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('deliverWebhook', () => {
  it('POSTs the exact JSON with our headers and the target headers, reading ${env:NAME} at delivery', async () => {
    const { base, received } = await server(() => 204);
    process.env['EVENTLAKE_TEST_TOKEN'] = SECRET;
    const outcome = await deliverWebhook(
      webhook(`${base}/hook?source=eventlake`, { headers: { authorization: 'Bearer ${env:EVENTLAKE_TEST_TOKEN}', 'x-team': 'data' } }),
      PAYLOAD,
    );
    expect(outcome).toMatchObject({ ok: true, attempts: 1, status: 204 });
    expect(outcome.error).toBeUndefined();
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hook?source=eventlake');
    expect(request?.body).toBe(JSON.stringify(PAYLOAD));
    expect(JSON.parse(request?.body ?? '')).toEqual(PAYLOAD);
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'eventlake',
      authorization: `Bearer ${SECRET}`,
      'x-team': 'data',
    });
  });

  it('retries after failures and succeeds on the third attempt', async () => {
    const { base, received } = await server((n) => (n <= 2 ? 500 : 200));
    const outcome = await deliverWebhook(webhook(`${base}/hook`, { retries: 2 }), PAYLOAD, FAST);
    expect(outcome).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(received).toHaveLength(3);
  });

  it('gives up after retries + 1 attempts with the last answer', async () => {
    const { base, received } = await server(() => 500);
    const outcome = await deliverWebhook(webhook(`${base}/hook`, { retries: 2 }), PAYLOAD, FAST);
    expect(outcome).toMatchObject({ ok: false, attempts: 3, status: 500, error: `webhook ${base}/… answered 500` });
    expect(received).toHaveLength(3);
  });

  it('counts a redirect as an answer, not a place to go', async () => {
    const { base } = await server(() => 302);
    expect(await deliverWebhook(webhook(`${base}/hook`), PAYLOAD)).toMatchObject({ ok: false, status: 302, error: `webhook ${base}/… answered 302` });
  });

  it('times out on a server that never answers', async () => {
    const { base } = await server(() => 'hang');
    const outcome = await deliverWebhook(webhook(`${base}/slow`, { timeoutMs: 200, retries: 1 }), PAYLOAD, FAST);
    expect(outcome).toMatchObject({ ok: false, attempts: 2, error: `webhook ${base}/… timed out after 200ms` });
    expect(outcome.status).toBeUndefined();
    expect(outcome.ms).toBeLessThan(3000);
    const { base: base2 } = await server(() => 'hang');
    expect((await deliverWebhook(webhook(`${base2}/slow`, { timeoutMs: 1500 }), PAYLOAD)).error).toBe(`webhook ${base2}/… timed out after 1.5s`);
  });

  it('says when nothing listens', async () => {
    const { base } = await server(() => 200);
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const outcome = await deliverWebhook(webhook(`${base}/hook`, { retries: 1 }), PAYLOAD, FAST);
    expect(outcome).toMatchObject({ ok: false, attempts: 2, error: `webhook ${base}/… could not connect: ECONNREFUSED` });
  });

  it('keeps header values, URL credentials and query strings out of errors', async () => {
    const { base, received } = await server(() => 500);
    process.env['EVENTLAKE_TEST_TOKEN'] = SECRET;
    const port = base.split(':')[2];
    const url = `http://hooker:${PASSWORD}@127.0.0.1:${port}/hook?token=${QUERY_TOKEN}`;
    const target = webhook(url, { retries: 1, headers: { 'x-api-key': '${env:EVENTLAKE_TEST_TOKEN}', 'x-literal': 'literal-secret-value' } });
    const outcome = await deliverWebhook(target, PAYLOAD, FAST);
    expect(outcome.error).toBe(`webhook ${base}/… answered 500`);
    // The URL's credentials travel as basic auth, since fetch refuses them in a URL.
    expect(received[0]?.headers['authorization']).toBe(`Basic ${Buffer.from(`hooker:${PASSWORD}`).toString('base64')}`);
    expect(received[0]?.url).toBe(`/hook?token=${QUERY_TOKEN}`);

    servers.splice(0).forEach((srv) => srv.close());
    const failures = [
      outcome,
      await deliverWebhook(target, PAYLOAD, FAST),
      await deliverWebhook(webhook(url, { timeoutMs: 100 }), PAYLOAD),
      await deliverWebhook({ ...target, url: `ftp://hooker:${PASSWORD}@example.com/?t=${QUERY_TOKEN}` }, PAYLOAD),
      await deliverWebhook({ ...target, url: `not a url ${PASSWORD}` }, PAYLOAD),
      await deliverWebhook({ ...target, headers: { 'x-bad': `${SECRET}\r\ninjected: yes` } }, PAYLOAD),
    ];
    for (const failure of failures) {
      expect(failure.ok).toBe(false);
      for (const secret of [SECRET, PASSWORD, QUERY_TOKEN, 'literal-secret-value', 'hooker']) expect(failure.error).not.toContain(secret);
    }
    expect(failures[3]?.error).toBe('webhook ftp://example.com/ is not an http or https URL');
    expect(failures[4]?.error).toBe('webhook url is not a valid URL');
    expect(failures[5]?.error).toBe(`webhook ${base}/… header x-bad has a name or value HTTP does not allow, such as a line break`);
  });

  it('fails without a request when a header names an unset variable', async () => {
    const { base, received } = await server(() => 200);
    const outcome = await deliverWebhook(webhook(`${base}/hook`, { headers: { authorization: 'Bearer ${env:EVENTLAKE_TEST_TOKEN}' } }), PAYLOAD);
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 0,
      error: `webhook ${base}/… header authorization needs environment variable EVENTLAKE_TEST_TOKEN, which is not set`,
    });
    expect(received).toHaveLength(0);
  });
});

describe('deliverCommand', () => {
  it('gives the command the payload as one JSON line on stdin', async () => {
    const file = join(await tempDir(), 'payload.json');
    const outcome = await deliverCommand(command(`cat > ${sh(file)}`), PAYLOAD);
    expect(outcome).toMatchObject({ ok: true, attempts: 1, status: 0 });
    const written = await readFile(file, 'utf8');
    expect(written).toBe(`${JSON.stringify(PAYLOAD)}\n`);
    expect(JSON.parse(written)).toEqual(PAYLOAD);
  });

  it('reports the exit code and the first line of stderr', async () => {
    const outcome = await deliverCommand(command(`echo 'first problem' >&2; echo 'second problem' >&2; exit 3`, { retries: 1 }), PAYLOAD, FAST);
    expect(outcome).toMatchObject({ ok: false, attempts: 2, status: 3, error: 'command exited with code 3: first problem' });
    expect((await deliverCommand(command('exit 4'), PAYLOAD)).error).toBe('command exited with code 4');
    const long = await deliverCommand(command(`printf '%0300d\\n' 7 >&2; exit 1`), PAYLOAD);
    expect(long.error).toBe(`command exited with code 1: ${'0'.repeat(199)}…`);
  });

  it('retries until the command succeeds', async () => {
    const counter = join(await tempDir(), 'count');
    const text = `n=$(cat ${sh(counter)} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${sh(counter)}; [ $n -ge 3 ]`;
    expect(await deliverCommand(command(text, { retries: 2 }), PAYLOAD, FAST)).toMatchObject({ ok: true, attempts: 3, status: 0 });
    expect((await readFile(counter, 'utf8')).trim()).toBe('3');
  });

  it('kills a hanging command and the children it started when the time is up', async () => {
    const pidFile = join(await tempDir(), 'child.pid');
    const started = Date.now();
    const outcome = await deliverCommand(command(`sleep 30 & echo $! > ${sh(pidFile)}; wait`, { timeoutMs: 300 }), PAYLOAD);
    expect(outcome).toMatchObject({ ok: false, attempts: 1, error: 'command timed out after 300ms' });
    expect(Date.now() - started).toBeLessThan(3000);
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    expect(child).toBeGreaterThan(0);
    for (let i = 0; i < 50 && (await alive(child)); i++) await sleep(20);
    expect(await alive(child)).toBe(false);

    const plain = await deliverCommand(command('sleep 30', { timeoutMs: 200 }), PAYLOAD);
    expect(plain).toMatchObject({ ok: false, error: 'command timed out after 200ms' });
    expect(plain.ms).toBeLessThan(3000);
  });

  it('succeeds for a command that never reads its input, however large', async () => {
    const big: CallbackPayload = { ...PAYLOAD, objects: Array.from({ length: 20_000 }, (_, i) => `2019-06-01-15-${i}-events.json`) };
    expect(await deliverCommand(command('true'), big)).toMatchObject({ ok: true, attempts: 1, status: 0 });
    expect(await deliverCommand(command('exit 0'), PAYLOAD)).toMatchObject({ ok: true, status: 0 });
  });

  it('does not wait for a background child that keeps stderr open', async () => {
    const started = Date.now();
    expect(await deliverCommand(command('sleep 2 & exit 0'), PAYLOAD)).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('deliverCallback', () => {
  it('sends each kind to its delivery', async () => {
    const { base, received } = await server(() => 200);
    expect(await deliverCallback(webhook(`${base}/hook`), PAYLOAD)).toMatchObject({ ok: true, status: 200 });
    expect(received).toHaveLength(1);
    expect(await deliverCallback(command('exit 5'), PAYLOAD)).toMatchObject({ ok: false, status: 5 });
  });

  it('turns every failure into an outcome', async () => {
    const unknown = { kind: 'email', to: 'ops@example.com' } as unknown as CallbackTarget;
    expect(await deliverCallback(unknown, PAYLOAD)).toMatchObject({ ok: false, attempts: 0, error: 'callback target kind "email" is not webhook or command' });
    const cyclic: Record<string, unknown> = { ...PAYLOAD };
    cyclic['self'] = cyclic;
    const outcome = await deliverCallback(command('true'), cyclic as CallbackPayload);
    expect(outcome).toMatchObject({ ok: false, attempts: 0, error: 'command payload could not be written as JSON' });
  });
});

describe('a webhook whose secret is its path (Slack, Teams)', () => {
  it('is named by its host only in errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await deliverWebhook(webhook(`http://127.0.0.1:${port}/services/T000/B000/SECRETPATH`), PAYLOAD, FAST);
    expect(outcome.error).toBe(`webhook http://127.0.0.1:${port}/… could not connect: ECONNREFUSED`);
    expect(outcome.error).not.toMatch(/SECRETPATH/);
  });
});
