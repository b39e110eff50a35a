/**
 * The web UI and JSON API beside `up`, `serve` and `demo`: `--host`/`--port` (config
 * `server.host`/`server.port`), the token rule checked before anything starts, and the
 * address printed once listening.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Orchestrator } from '../app/orchestrator.js';
import type { RequestedRuns } from '../app/requested-runs.js';
import type { WarehouseRefresher } from '../app/warehouse-refresher.js';
import { packageVersion } from '../config/package-root.js';
import { requiredToken } from '../http/access-token.js';
import type { RunningServer, ServerAddress } from '../http/http-server.js';
import { openDebugLog, type GlobalOptions } from './cli-context.js';
import type { Settings } from './settings.js';
import { positiveInteger } from './shared-options.js';
import { announce } from './announce.js';

export interface ServerFlags {
  readonly host?: string;
  readonly port?: number;
}

export function serverOptions(): Option[] {
  return [
    new Option('--host <address>', 'address the web UI and API answer on (config server.host, default 127.0.0.1); beyond loopback EVENTLAKE_TOKEN must be set, 16 characters or more'),
    new Option('--port <port>', 'port of the web UI and API (config server.port, default 8080; 0: any free port)').argParser((value: string) => {
      const port = positiveInteger('--port', 0)(value);
      if (port > 65535) throw new InvalidArgumentError('--port must be a port number from 0 to 65535.');
      return port;
    }),
  ];
}

export interface WebServer {
  readonly address: ServerAddress;
  readonly token: string | undefined;
}

/** The address and token, refused at once (one sentence) when the address needs a token and has none. */
export function webServer(settings: Settings, flags: ServerFlags): WebServer {
  const address = { host: flags.host ?? settings.config.server.host, port: flags.port ?? settings.config.server.port };
  return { address, token: requiredToken(address.host, process.env) };
}

export async function startWebServer(
  web: WebServer,
  settings: Settings,
  global: GlobalOptions,
  parts: { mode: 'up' | 'serve'; orchestrator: Orchestrator; requested: RequestedRuns; warehouse: WarehouseRefresher },
): Promise<RunningServer> {
  // Loaded when a server starts: `run` and the other commands do not pay for Hono at start-up.
  const { startHttpServer } = await import('../http/http-server.js');
  const server = await startHttpServer({
    address: web.address,
    token: web.token,
    log: openDebugLog(settings.orchestrator.state),
    api: { ...parts, target: settings.target, version: packageVersion(), auth: web.token !== undefined },
  });
  announce(global, { event: 'listening', url: server.url }, `eventlake serving on ${server.url} (web UI and JSON API${web.token ? '; token required' : ''})`);
  return server;
}
