/** Serves the API and UI on one address until closed; a port already taken is named in one sentence. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { UserError } from '../errors/user-error.js';
import type { ApiContext } from './api-context.js';
import { apiApp } from './api-app.js';
import { loadUiAssets } from './ui-assets.js';

export interface ServerAddress {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

function urlOf(host: string, port: number): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

function listenError(err: NodeJS.ErrnoException, address: ServerAddress): Error {
  const where = `${address.host}:${address.port}`;
  if (err.code === 'EADDRINUSE') return new UserError(`port ${address.port} on ${address.host} is taken by another program: choose another with --port (or server.port)`);
  if (err.code === 'EACCES') return new UserError(`this user may not serve on ${where}: choose a port above 1023 with --port`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new UserError(`--host ${address.host} is not an address of this machine`);
  return new UserError(`cannot serve on ${where}: ${err.message}`);
}

export async function startHttpServer(options: { address: ServerAddress; token: string | undefined; api: ApiContext; log: Logger }): Promise<RunningServer> {
  const { address } = options;
  let port = address.port;
  const app = apiApp({ api: options.api, guard: { host: address.host, port: () => port, token: options.token }, assets: loadUiAssets(), log: options.log });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: address.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, address)));
    server.listen(address.port, address.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: urlOf(address.host, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections (a browser's) would hold the close open.
        server.closeAllConnections();
      }),
  };
}
