/** `/api/runs`: list, trigger (one hour or a range), and each run's detail and timeline. */
import { Hono } from 'hono';
import * as z from 'zod';
import type { BackfillAnswer, RunDetail, RunList, RunTimeline, TriggerAnswer } from '../../app/api-views.js';
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

const MAX_LIST = 1000;
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

function offsetParameter(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value)) throw new HttpError(400, `offset must be a whole number from 0 (got ${JSON.stringify(value.slice(0, 20))})`);
  return n;
}

function limitParameter(value: string | undefined): number {
  if (value === undefined || value === '') return 200;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_LIST) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIST} (got ${JSON.stringify(value.slice(0, 20))})`);
  return n;
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
