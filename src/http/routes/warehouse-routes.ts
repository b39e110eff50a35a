/**
 * `/api/sql` and `/api/warehouse/*`: the read-only SQL console (with the explain/pruning report),
 * the BI answer, operating periods and their vehicle tracks, and a rebuild from the lake.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import type { AvgDistanceView, PeriodList, SqlAnswer, SqlCancelAnswer, TracksView, WarehouseBuildAnswer } from '../../app/api-views.js';
import { avgDistance, buildWarehouse, explainQuery, MAX_TRACK_POINTS, operatingPeriods, querySql, vehicleTracks } from '../../app/warehouse.js';
import { UserError } from '../../errors/user-error.js';
import { cancelConsoleQueries } from '../../warehouse/console/console-process.js';
import type { ApiContext } from '../api-context.js';
import { HttpError } from '../http-error.js';
import { jsonBody } from '../json-body.js';

const sqlBody = z.strictObject({
  sql: z.string({ error: 'must be the query, as text' }).trim().min(1, { error: 'must not be empty' }).max(100_000, { error: 'must be under 100,000 characters' }),
  explain: z.boolean({ error: 'must be true or false' }).optional(),
});

/** "No warehouse yet" is a state to fix (build it), not a bad request. */
async function fromWarehouse<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof UserError && /^no warehouse /.test(err.message)) throw new HttpError(409, err.message);
    throw err;
  }
}

export function warehouseRoutes(api: ApiContext): Hono {
  const app = new Hono();
  const stateDir = api.orchestrator.stateDir;

  // One console query at a time: each runs in a process of its own (ended at the time limit,
  // explain included), and the machine's cores are the runs' too.
  let querying = false;
  app.post('/sql', async (c) => {
    const body = await jsonBody(c, sqlBody, '{"sql": "SELECT …", "explain": false}');
    if (querying) throw new HttpError(503, 'the SQL console is answering another query: try again when it is done');
    querying = true;
    try {
      const result = await fromWarehouse(() => querySql(stateDir, body.sql));
      const explain = body.explain ? await fromWarehouse(() => explainQuery(stateDir, body.sql)) : undefined;
      return c.json({ ...result, ...(explain ? { explain } : {}) } satisfies SqlAnswer);
    } finally {
      querying = false;
    }
  });

  // Cancels the console query running now (its process is ended); its own POST /api/sql then answers
  // 400 "the query was cancelled". Nothing running: cancelled 0.
  app.post('/sql/cancel', (c) => c.json({ cancelled: cancelConsoleQueries(stateDir) } satisfies SqlCancelAnswer));

  app.get('/warehouse/avg-distance', async (c) => c.json({ periods: await fromWarehouse(() => avgDistance(stateDir)) } satisfies AvgDistanceView));

  app.get('/warehouse/periods', async (c) => c.json({ periods: await fromWarehouse(() => operatingPeriods(stateDir)) } satisfies PeriodList));

  app.get('/warehouse/tracks', async (c) => {
    const period = c.req.query('period');
    const organization = c.req.query('organization');
    if (period === undefined || period.trim() === '') {
      throw new HttpError(400, 'name the operating period: /api/warehouse/tracks?period=<period_id>&organization=<organization_id> (GET /api/warehouse/periods lists them)');
    }
    try {
      return c.json((await fromWarehouse(() => vehicleTracks(stateDir, period, MAX_TRACK_POINTS, organization))) satisfies TracksView);
    } catch (err) {
      if (err instanceof UserError && /^no operating period/.test(err.message)) throw new HttpError(404, err.message);
      if (err instanceof UserError && /organizations \(/.test(err.message)) throw new HttpError(400, err.message);
      throw err;
    }
  });

  app.post('/warehouse/build', async (c) => {
    const report = await buildWarehouse(stateDir, api.target.lake);
    return c.json({ loaded: report.loaded, seconds: Number(report.seconds.toFixed(3)) } satisfies WarehouseBuildAnswer);
  });

  return app;
}
