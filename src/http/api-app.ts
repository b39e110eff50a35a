/**
 * The HTTP application: the guard first, then the JSON API under /api and the built UI at /.
 * Every error is JSON `{ error }` with its status; a bug's stack goes to the debug log only.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { UserError } from '../errors/user-error.js';
import type { ApiContext } from './api-context.js';
import { HttpError } from './http-error.js';
import { LoginThrottle } from './login-throttle.js';
import { requestGuard, type GuardOptions } from './request-guard.js';
import { dlqRoutes } from './routes/dlq-routes.js';
import { healthRoute } from './routes/health-route.js';
import { lakeRoute } from './routes/lake-route.js';
import { loginRoutes } from './routes/login-routes.js';
import { runsRoutes } from './routes/runs-routes.js';
import { warehouseRoutes } from './routes/warehouse-routes.js';
import { SessionStore } from './session-store.js';
import type { Asset } from './ui-assets.js';

const MAX_BODY_BYTES = 256 * 1024;

/** The page may load only its own scripts and styles, and talk only to this server. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export interface AppOptions {
  readonly api: ApiContext;
  readonly guard: GuardOptions;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly log: Logger;
  /** The clock sessions and the login throttle go by (tests move it). */
  readonly now?: () => number;
}

export function apiApp(options: AppOptions): Hono {
  const { api, assets, log } = options;
  const app = new Hono();
  // In memory: a restart ends every session and forgets the throttle's counts.
  const sessions = new SessionStore(options.now);
  const throttle = new LoginThrottle(options.now);
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', requestGuard(options.guard, sessions, throttle));
  app.use('/api/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new HttpError(413, `the body is over ${MAX_BODY_BYTES / 1024} KiB`); } }));

  app.route('/api', loginRoutes(options.guard.token, sessions, throttle));
  app.route('/api/health', healthRoute(api));
  app.route('/api/runs', runsRoutes(api));
  app.route('/api/dlq', dlqRoutes(api));
  app.route('/api/lake', lakeRoute(api));
  app.route('/api', warehouseRoutes(api));
  app.all('/api/*', (c) => c.json({ error: `no API route ${c.req.method} ${c.req.path}` }, 404));

  app.get('/*', (c) => {
    const name = c.req.path === '/' ? 'index.html' : c.req.path.slice(1);
    const asset = assets.get(name);
    if (asset) return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type });
    if (c.req.path === '/') return c.text('The web UI was not built: run npm run build, then start the server again. The JSON API is at /api/health.', 503);
    return c.text(`Not found: ${c.req.path}`, 404);
  });
  app.all('*', (c) => c.json({ error: `${c.req.method} is not served at ${c.req.path}` }, 405));

  app.onError((err, c) => {
    if (err instanceof HttpError) {
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="eventlake"');
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return c.json({ error: err.message }, err.status);
    }
    if (err instanceof UserError) return c.json({ error: err.message }, 400);
    log.error({ err, method: c.req.method, path: c.req.path }, 'HTTP request failed');
    return c.json({ error: `the server failed on ${c.req.method} ${c.req.path}: ${err.message.split('\n')[0] ?? ''} (its debug log has the details)` }, 500);
  });
  return app;
}
