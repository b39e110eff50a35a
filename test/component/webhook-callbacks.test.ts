/** Webhook callbacks to a real HTTP receiver on loopback: the documented JSON, the header secret, failed deliveries. */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { waitFor, writeSmallHour } from '../helpers/processes.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function receiver(answer: number): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'no');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function webhookConfig(dir: string, url: string, extra: string[] = []): Promise<string> {
  const file = join(dir, 'hooks.yaml');
  await writeFile(
    file,
    [
      'callbacks:',
      '  - name: ops',
      '    on: [success, failure]',
      '    webhook:',
      `      url: ${url}`,
      ...extra.map((l) => `      ${l}`),
      '      headers:',
      '        Authorization: "Bearer ${env:HOOK_TOKEN}"',
      '',
    ].join('\n'),
  );
  return file;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every file under the state folder, as text: the database, its WAL, the debug log. */
async function stateText(state: string): Promise<string> {
  const entries = await readdir(state, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

describe('webhook callbacks', () => {
  it('POST the documented JSON on success and on failure, with the header read from the environment', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    await writeSmallHour(source, '2019-06-01T15', 2, 3);
    const hook = await receiver(200);
    const config = await webhookConfig(dir, hook.url);
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const env = { HOOK_TOKEN: token };
    const common = ['--config', config, '--state', state, '--source', source, '--lake', lake];

    const good = await runCli(['run', '--hour', '2019-06-01T15', '--json', ...common], undefined, env);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const summary = JSON.parse(good.stdout) as { runId: string };
    // The command delivers before it exits.
    expect(hook.received).toHaveLength(1);
    const [success] = hook.received as [Received];
    expect(success.method).toBe('POST');
    expect(success.url).toBe('/hook');
    expect(success.headers['content-type']).toMatch(/^application\/json/);
    expect(success.headers['authorization']).toBe(`Bearer ${token}`);
    expect(success.body).toMatchObject({
      event: 'success',
      run: { id: summary.runId, hour: '2019-06-01T15', status: 'success', attempt: 1, error: null },
    });
    expect(Object.keys(success.body['run'] as object).sort()).toEqual(['attempt', 'error', 'hour', 'id', 'status']);
    expect(success.body['at']).toMatch(ISO);

    const missing = await runCli(['trigger', '--hour', '2019-06-01T16', '--json', ...common], undefined, env);
    expect(missing.code).toBe(1);
    await waitFor('the failure callback', () => hook.received.length >= 2, 10_000);
    expect(hook.received).toHaveLength(2);
    const failure = hook.received[1] as Received;
    expect(failure.headers['authorization']).toBe(`Bearer ${token}`);
    expect(failure.body).toMatchObject({ event: 'failure', run: { hour: '2019-06-01T16', status: 'failed', attempt: 1 } });
    expect(failure.body['at']).toMatch(ISO);
    const error = (failure.body['run'] as { error: unknown }).error;
    expect(typeof error).toBe('string');
    expect(error).toMatch(/no source objects for hour 2019-06-01T16/);
    const triggered = JSON.parse(missing.stdout) as { runs: { id: string; status: string; error: string }[] };
    expect(triggered.runs[0]).toMatchObject({ status: 'failed', error });
    expect((failure.body['run'] as { id: string }).id).toBe(triggered.runs[0]?.id);

    const status = await runCli(['status', '--json', '--config', config, '--state', state], undefined, env);
    const s = JSON.parse(status.stdout) as { deliveries: { event: string; callback: string; status: string; attempts: number; httpStatus?: number }[] };
    expect(s.deliveries.map((d) => [d.event, d.callback, d.status, d.attempts, d.httpStatus])).toEqual([
      ['failure', 'ops', 'delivered', 1, 200],
      ['success', 'ops', 'delivered', 1, 200],
    ]);
    for (const text of [good.stdout, good.stderr, missing.stdout, missing.stderr, status.stdout, status.stderr]) expect(text).not.toContain(token);
  });

  it('a receiver answering 500: the delivery is recorded failed, the run still exits 0, and the token is never written', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    await writeSmallHour(source, '2019-06-01T15', 2, 3);
    const hook = await receiver(500);
    const config = await webhookConfig(dir, hook.url, ['retries: 1', 'timeout: 5s']);
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const env = { HOOK_TOKEN: token };

    const good = await runCli(['run', '--hour', '2019-06-01T15', '--json', '--debug', '--config', config, '--state', state, '--source', source, '--lake', lake], undefined, env);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ hour: '2019-06-01T15', events: { vehicle: 6 } });
    // The first attempt and its one retry, both with the header.
    expect(hook.received).toHaveLength(2);
    for (const r of hook.received) {
      expect(r.headers['authorization']).toBe(`Bearer ${token}`);
      expect(r.body).toMatchObject({ event: 'success' });
    }

    // A failing run with --debug: its error path writes to the log and stderr too.
    const bad = await runCli(['trigger', '--hour', '2019-06-01T17', '--debug', '--config', config, '--state', state, '--source', source, '--lake', lake], undefined, env);
    expect(bad.code).toBe(1);

    const status = await runCli(['status', '--json', '--debug', '--config', config, '--state', state], undefined, env);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { deliveries: { event: string; status: string; attempts: number; httpStatus?: number; error?: string }[] };
    const success = s.deliveries.find((d) => d.event === 'success');
    expect(success).toMatchObject({ status: 'failed', attempts: 2, httpStatus: 500 });
    expect(success?.error).toBe(`webhook ${hook.url.replace(/\/hook$/, '/…')} answered 500`);
    expect(s.deliveries.find((d) => d.event === 'failure')).toMatchObject({ status: 'failed', httpStatus: 500 });
    const textStatus = await runCli(['status', '--config', config, '--state', state], undefined, env);
    expect(textStatus.stdout).toMatch(/success → ops: failed \(webhook .* answered 500\)/);

    for (const text of [good.stdout, good.stderr, bad.stdout, bad.stderr, status.stdout, status.stderr, textStatus.stdout, textStatus.stderr]) {
      expect(text).not.toContain(token);
    }
    const log = await readFile(join(state, 'logs', 'eventlake.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(token);
    expect(await stateText(state)).not.toContain(token);
  });

  it('an unreachable receiver: the delivery fails with a connect error, the run exits 0, no token written', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    await writeSmallHour(source, '2019-06-01T15', 1, 2);
    const gone = await receiver(200);
    await gone.close();
    servers.splice(0);
    const config = await webhookConfig(dir, gone.url, ['retries: 0']);
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const env = { HOOK_TOKEN: token };
    const good = await runCli(['run', '--hour', '2019-06-01T15', '--debug', '--config', config, '--state', state, '--source', source, '--lake', lake], undefined, env);
    expect(good.code).toBe(0);
    const status = await runCli(['status', '--json', '--config', config, '--state', state], undefined, env);
    const s = JSON.parse(status.stdout) as { deliveries: { event: string; status: string; error?: string }[] };
    expect(s.deliveries).toEqual([expect.objectContaining({ event: 'success', status: 'failed', error: `webhook ${gone.url.replace(/\/hook$/, '/…')} could not connect: ECONNREFUSED` })]);
    for (const text of [good.stdout, good.stderr, status.stdout, status.stderr]) expect(text).not.toContain(token);
    expect(await stateText(state)).not.toContain(token);
  });
});
