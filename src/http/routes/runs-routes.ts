/** `/api/runs`: list, trigger (one hour or a range), and each run's detail and timeline. */
import { Hono } from 'hono';
import * as z from 'zod';
import type { BackfillAnswer, RunDetail, RunHours, RunList, RunTimeline, TriggerAnswer } from '../../app/api-views.js';
import { runDetail } from '../../app/run-detail.js';
import { listedWithoutDeadTime } from '../../app/run-replays.js';
import { runTimeline } from '../../app/run-timeline.js';
import { UserError } from '../../errors/user-error.js';
import { runView } from '../../app/run-view.js';
import { RUN_STATUSES, type RunRecord, type RunStatus } from '../../orchestration/run-store.js';
import { runnableHoursBetween } from '../../orchestration/schedule/runnable-hours.js';
import { parseHour } from '../../pipeline/hour.js';
import type { ApiContext } from '../api-context.js';
import { HttpError } from '../http-error.js';
import { jsonBody } from '../json-body.js';
import { limitParameter, offsetParameter } from './paging-parameters.js';

const ACTIVE = new Set<RunStatus>(['queued', 'running']);

const hour = z.string({ error: 'must be an hour like 2019-06-01T15' }).transform((text, ctx) => {
  const parsed = parseHour(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `must be an hour like 2019-06-01T15 (got ${JSON.stringify(text.slice(0, 40))})` });
    return z.NEVER;
  }
  return parsed.label;
});
const SHAPE = 'must be {"hour": "2019-06-01T15"} or {"from": "2019-06-01T00", "to": "2019-06-01T23"}';
const triggerBody = z
  .strictObject({ hour: hour.optional(), from: hour.optional(), to: hour.optional() }, { error: SHAPE })
  .superRefine((body, ctx) => {
    const range = body.from !== undefined || body.to !== undefined;
    if ((body.hour === undefined) === !range || (range && (body.from === undefined || body.to === undefined))) ctx.addIssue({ code: 'custom', message: SHAPE });
  });

function hourParameter(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = parseHour(value);
  if (!parsed) throw new HttpError(400, `${name} must be an hour like 2019-06-01T15 (got ${JSON.stringify(value.slice(0, 40))})`);
  return parsed.label;
}

/** Days the hour grid shows unless `days` says otherwise, and the most it may ask for. */
const GRID_DAYS = 31;
const MAX_GRID_DAYS = 366;

function daysParameter(value: string | undefined): number {
  if (value === undefined || value === '') return GRID_DAYS;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_GRID_DAYS) throw new HttpError(400, `days must be a whole number from 1 to ${MAX_GRID_DAYS} (got ${JSON.stringify(value.slice(0, 20))})`);
  return n;
}

/** The newest `days` days with runs, and the newest run of each of their hours (runs come newest first). */
function hourWindow(runs: readonly RunRecord[], days: number): { days: string[]; totalDays: number; runs: RunRecord[] } {
  const newest = new Map<string, RunRecord>();
  for (const run of runs) if (!newest.has(run.hour)) newest.set(run.hour, run);
  const all = [...new Set([...newest.keys()].map((hour) => hour.slice(0, 10)))].sort().reverse();
  const shown = new Set(all.slice(0, days));
  return { days: [...shown], totalDays: all.length, runs: [...newest.values()].filter((r) => shown.has(r.hour.slice(0, 10))) };
}

export function runsRoutes(api: ApiContext): Hono {
  const app = new Hono();
  const { state } = api.orchestrator;

  const view = async (run: RunRecord): Promise<TriggerAnswer> => {
    if (!ACTIVE.has(run.status) || !run.planned) return runView(run);
    const counts = await state.queue.counts(run.id);
    return runView(run, { done: counts.tasksDone, total: counts.tasks });
  };

  app.get('/', async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && status !== '' && !(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new HttpError(400, `status must be one of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(status.slice(0, 20))})`);
    }
    const from = hourParameter(c.req.query('from'), 'from');
    const to = hourParameter(c.req.query('to'), 'to');
    const exact = hourParameter(c.req.query('hour'), 'hour');
    const limit = limitParameter(c.req.query('limit'));
    const offset = offsetParameter(c.req.query('offset'));
    // Every matching run is read to count them (total); a range is cut in memory: hour labels sort as they read.
    const runs = await state.runs.list({
      lake: api.target.lake,
      ...(status ? { status: status as RunStatus } : {}),
      ...(exact ? { hour: exact } : {}),
    });
    const matching = runs.filter((r) => (from === undefined || r.hour >= from) && (to === undefined || r.hour <= to));
    const page = matching.slice(offset, offset + limit);
    const views = await listedWithoutDeadTime(state.queue, state.events, await Promise.all(page.map(view)));
    return c.json({ runs: views, total: matching.length, offset } satisfies RunList);
  });

  // Before /:id: the grid's window is read whole, however many runs the state holds (no `limit` cuts it).
  app.get('/hours', async (c) => {
    const grid = hourWindow(await state.runs.list({ lake: api.target.lake }), daysParameter(c.req.query('days')));
    const views = await listedWithoutDeadTime(state.queue, state.events, await Promise.all(grid.runs.map(view)));
    return c.json({ days: grid.days, totalDays: grid.totalDays, runs: views } satisfies RunHours);
  });

  app.get('/:id', async (c) => {
    const detail = await runDetail(api.orchestrator, c.req.param('id'));
    if (!detail) throw new HttpError(404, `no run ${JSON.stringify(c.req.param('id').slice(0, 80))}`);
    return c.json(detail satisfies RunDetail);
  });

  app.get('/:id/timeline', async (c) => {
    let timeline: RunTimeline | undefined;
    try {
      timeline = await runTimeline(api.orchestrator, c.req.param('id'));
    } catch (err) {
      // Not yet succeeded, or in a bucket: a state of the run, not a bad request.
      if (err instanceof UserError) throw new HttpError(409, err.message);
      throw err;
    }
    if (!timeline) throw new HttpError(404, `no run ${JSON.stringify(c.req.param('id').slice(0, 80))}`);
    return c.json(timeline satisfies RunTimeline);
  });

  app.post('/', async (c) => {
    const body = await jsonBody(c, triggerBody, '{"hour": "2019-06-01T15"} or {"from": …, "to": …}');
    if (body.hour !== undefined) {
      const [submitted] = await api.requested.submit([body.hour], 'manual');
      if (!submitted) throw new Error('no run was submitted');
      return c.json((await view(submitted.run)) satisfies TriggerAnswer, submitted.created ? 201 : 200);
    }
    const submitted = await api.requested.submit(runnableHoursBetween(body.from as string, body.to as string, api.target.timezone), 'backfill');
    return c.json({ runs: await Promise.all(submitted.map((s) => view(s.run))) } satisfies BackfillAnswer, 201);
  });

  return app;
}
