import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchBadPorts, isFetchBadPort } from '../../src/orchestration/callbacks/fetch-bad-ports.js';

/** What Node's own fetch says about the port, without anything listening there. */
async function fetchRefusal(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return 'answered';
  } catch (error) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return cause?.message === 'bad port' ? 'bad port' : (cause?.code ?? cause?.message ?? String(error));
  }
}

describe("the Fetch standard's bad ports, as Node 20's fetch applies them", () => {
  it('lists exactly the ports fetch refuses: each listed one is refused as "bad port" and never dialled', async () => {
    const refusals = await Promise.all(fetchBadPorts().map(async (port) => [port, await fetchRefusal(port)] as const));
    expect(refusals.filter(([, refusal]) => refusal !== 'bad port')).toEqual([]);
    expect(fetchBadPorts().length).toBeGreaterThan(70);
  });

  it('passes a port a webhook server commonly uses, and fetch dials it', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(isFetchBadPort(port)).toBe(false);
      expect(await fetchRefusal(port)).toBe('answered');
      expect(isFetchBadPort(8080)).toBe(false);
      expect(await fetchRefusal(8080)).not.toBe('bad port');
    } finally {
      server.close();
    }
  });
});
