/**
 * Callback deliveries as GET /api/dlq lists them, against a real `eventlake serve` with a command
 * callback and a webhook (a real HTTP server on loopback): each names the run and hour it reports,
 * its kind, and a command's exit code as `exitCode` (never as an HTTP status).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE, tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/processes.js';
import { ask, runEnded, startServed, type Served } from '../helpers/served-cli.js';

let served: Served | undefined;
let hook: Server;

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const dir = await tempDir('eventlake-config-');
  const config = join(dir, 'eventlake.yaml');
  const port = (hook.address() as AddressInfo).port;
  await writeFile(
    config,
    ['callbacks:', '  - name: shell', '    on: [failure]', '    command: "cat > /dev/null"', '  - name: hook', '    on: [failure]', '    webhook:', `      url: http://127.0.0.1:${port}/hook`, ''].join('\n'),
  );
  const lake = await tempDir();
  served = await startServed('serve', ['--source', SAMPLE, '--lake', lake, '--state', `${lake}-state`, '--workers', '1', '--config', config], {
    EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none',
  });
}, 120_000);

afterAll(async () => {
  await served?.stop();
  await new Promise((resolve) => hook.close(resolve));
});

describe('GET /api/dlq deliveries', () => {
  it("name the run and hour, and a command's exit code as exitCode, a webhook's status as httpStatus", async () => {
    const url = served?.url ?? '';
    // An hour the sample has no objects for: it fails, and both callbacks are told.
    const run = await ask(url, '/api/runs', { body: { hour: '2019-06-01T14' } });
    expect((await runEnded(url, run.json.id as string))['status']).toBe('failed');
    type Delivery = Record<string, unknown>;
    const deliveries = await waitFor(
      'both deliveries',
      async () => {
        const list = ((await ask(url, '/api/dlq')).json.deliveries ?? []) as Delivery[];
        return list.filter((d) => d['status'] === 'delivered').length === 2 ? list : undefined;
      },
      30_000,
      100,
    );
    const shell = deliveries.find((d) => d['callback'] === 'shell');
    const webhook = deliveries.find((d) => d['callback'] === 'hook');
    expect(shell).toMatchObject({ event: 'failure', runId: run.json.id, hour: '2019-06-01T14', target: 'command', exitCode: 0 });
    expect(shell).not.toHaveProperty('httpStatus');
    expect(webhook).toMatchObject({ event: 'failure', runId: run.json.id, hour: '2019-06-01T14', target: 'webhook', httpStatus: 204 });
    expect(webhook).not.toHaveProperty('exitCode');
  });
});
