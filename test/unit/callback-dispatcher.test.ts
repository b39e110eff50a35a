/** The dispatcher on a real SQLite event log: one lane per callback, lanes side by side under a total limit. */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackDispatcher } from '../../src/orchestration/callbacks/callback-dispatcher.js';
import type { CallbackPayload, CallbackSubscription } from '../../src/orchestration/callbacks/callback-event.js';
import { thisProcess } from '../../src/orchestration/process-identity.js';
import type { StateStore } from '../../src/orchestration/state-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';
import { tempDir } from '../helpers/fixtures.js';
import { appendTo, waitFor } from '../helpers/processes.js';

const servers: Server[] = [];
const stores: StateStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  await Promise.all(
    servers.splice(0).map(
      (srv) =>
        new Promise<void>((resolve) => {
          srv.closeAllConnections();
          srv.close(() => resolve());
        }),
    ),
  );
});

/** A loopback webhook that takes requests and never answers; `received` counts them. */
async function hangingWebhook(): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const srv = createServer((req) => {
    req.resume();
    req.on('end', () => received++);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  servers.push(srv);
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`, received: () => received };
}

function webhook(name: string, url: string): CallbackSubscription {
  return { name, on: ['success'], target: { kind: 'webhook', url, timeoutMs: 60_000, retries: 0, headers: {} } };
}

function command(name: string, file: string): CallbackSubscription {
  return { name, on: ['success'], target: { kind: 'command', command: appendTo(file), timeoutMs: 30_000, retries: 0 } };
}

function payload(n: number): CallbackPayload {
  const hour = `2019-06-01T${String(n).padStart(2, '0')}`;
  return { event: 'success', run: { id: `run-${hour}`, hour, status: 'success', attempt: 1, error: null }, at: '2019-06-01T16:00:00.000Z' };
}

async function stateWith(events: number, callbacks: readonly string[]): Promise<StateStore> {
  const state = await openStateStore({ kind: 'sqlite', dir: await tempDir() });
  stores.push(state);
  for (let n = 0; n < events; n++) {
    await state.events.record({ kind: 'success', key: `success:run-${n}`, runId: `run-${n}`, payload: payload(n), callbacks });
  }
  return state;
}

async function statuses(state: StateStore, callback: string): Promise<string[]> {
  return (await state.events.deliveries()).filter((d) => d.callback === callback).map((d) => d.status);
}

async function hoursIn(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as CallbackPayload).run.hour);
}

describe('CallbackDispatcher', () => {
  it('delivers a command callback while a webhook that never answers is still being delivered to', async () => {
    const hook = await hangingWebhook();
    const file = join(await tempDir(), 'calls.jsonl');
    // The webhook's deliveries are the older ones: one at a time, they came first and held the rest back.
    const state = await stateWith(3, ['hook', 'cmd']);
    const dispatcher = new CallbackDispatcher(state.events, [webhook('hook', hook.url), command('cmd', file)], thisProcess);
    dispatcher.pump();

    // Received, then recorded: the outcome is settled once the command has exited.
    await waitFor('the command callback to receive all three', async () => (await hoursIn(file)).length === 3 && (await statuses(state, 'cmd')).every((s) => s === 'delivered'));
    expect(await hoursIn(file)).toEqual(['2019-06-01T00', '2019-06-01T01', '2019-06-01T02']);
    expect(await statuses(state, 'cmd')).toEqual(['delivered', 'delivered', 'delivered']);
    // The webhook holds its first delivery; its others wait their turn, in order.
    expect(hook.received()).toBe(1);
    expect((await statuses(state, 'hook')).sort()).toEqual(['delivering', 'pending', 'pending']);
  });

  it("the foreground drain delivers what it can while a webhook hangs, and leaves the rest pending", async () => {
    const hook = await hangingWebhook();
    const file = join(await tempDir(), 'calls.jsonl');
    const state = await stateWith(18, ['hook', 'cmd']);
    const dispatcher = new CallbackDispatcher(state.events, [webhook('hook', hook.url), command('cmd', file)], thisProcess);
    const abort = waitFor('the command deliveries', async () => (await hoursIn(file)).length === 18).then(() => undefined);
    await dispatcher.drain(60_000, abort);

    expect(await hoursIn(file)).toHaveLength(18);
    expect(new Set(await statuses(state, 'cmd'))).toEqual(new Set(['delivered']));
    expect(await state.events.pendingDeliveries(['hook'])).toBe(18);
    expect(await state.events.pendingDeliveries(['cmd'])).toBe(0);
  });

  it('keeps each callback to one delivery in flight and all of them to the limit', async () => {
    const hooks = await Promise.all([1, 2, 3, 4].map(() => hangingWebhook()));
    const names = hooks.map((_, i) => `hook${i}`);
    const state = await stateWith(2, names);
    const dispatcher = new CallbackDispatcher(
      state.events,
      hooks.map((h, i) => webhook(names[i] ?? '', h.url)),
      thisProcess,
      () => undefined,
      { concurrency: 3 },
    );
    dispatcher.pump();

    await waitFor('three webhooks to be called', () => hooks.filter((h) => h.received() === 1).length === 3);
    const delivering = (await state.events.deliveries()).filter((d) => d.status === 'delivering');
    expect(delivering).toHaveLength(3);
    expect(new Set(delivering.map((d) => d.callback)).size).toBe(3);
    expect(hooks.map((h) => h.received()).sort()).toEqual([0, 1, 1, 1]);
  });

  it('abandon() gives up the deliveries in flight at once (a webhook that never answers, a command still running), records no outcome, and claims no more', async () => {
    const hook = await hangingWebhook();
    const state = await stateWith(2, ['hook', 'slow']);
    const slow: CallbackSubscription = { name: 'slow', on: ['success'], target: { kind: 'command', command: 'cat > /dev/null; sleep 60', timeoutMs: 120_000, retries: 3 } };
    const dispatcher = new CallbackDispatcher(state.events, [{ ...webhook('hook', hook.url), target: { kind: 'webhook', url: hook.url, timeoutMs: 120_000, retries: 3, headers: {} } }, slow], thisProcess);
    dispatcher.pump();
    await waitFor('both deliveries in flight', () => hook.received() === 1 && dispatcher.inFlight === 2);

    expect(dispatcher.abandon()).toBe(2);
    await waitFor('the deliveries to be given up', () => dispatcher.inFlight === 0, 20_000);
    dispatcher.pump();
    // Left claimed by this process (the next one takes them once it is gone), the rest still pending.
    expect((await statuses(state, 'hook')).sort()).toEqual(['delivering', 'pending']);
    expect((await statuses(state, 'slow')).sort()).toEqual(['delivering', 'pending']);
    expect(hook.received()).toBe(1);
  });
});
