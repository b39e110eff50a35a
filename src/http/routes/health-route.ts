/** `GET /api/health`: what this server serves, and whether a scheduler works on its state. */
import { Hono } from 'hono';
import type { Health } from '../../app/api-views.js';
import type { ApiContext } from '../api-context.js';

export function healthRoute(api: ApiContext): Hono {
  return new Hono().get('/', async (c) =>
    c.json({
      status: 'ok',
      version: api.version,
      mode: api.mode,
      source: api.target.source,
      lake: api.target.lake,
      format: api.target.format,
      state: api.orchestrator.stateDir,
      timezone: api.target.timezone,
      scheduler: await api.orchestrator.schedulerRunning(),
      auth: api.auth,
    } satisfies Health),
  );
}
