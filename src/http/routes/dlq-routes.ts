/** `/api/dlq`: dead letters with deadline misses and callback deliveries; inspect; replay. */
import { Hono } from 'hono';
import type { DeadLetterDetail, DeadLetterList, ReplayAnswer } from '../../app/api-views.js';
import { deadLetterDetail } from '../../app/dead-letter-detail.js';
import { deadLetterView, deadlineMissView, deliveryView } from '../../app/dead-letter-view.js';
import { ReplaySupersededError } from '../../app/replay-dead-letter.js';
import { runView } from '../../app/run-view.js';
import type { ApiContext } from '../api-context.js';
import { HttpError } from '../http-error.js';
import { limitParameter, offsetParameter } from './paging-parameters.js';


export function letterId(text: string): number {
  const id = Number(text);
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id)) throw new HttpError(400, `a dead letter's id is a whole number (got ${JSON.stringify(text.slice(0, 40))})`);
  return id;
}

export function dlqRoutes(api: ApiContext): Hono {
  const app = new Hono();
  const { state } = api.orchestrator;
  // Read when asked: the callbacks are the orchestrator's settings, not needed to mount the routes.
  const kinds = () => new Map(api.orchestrator.callbacks.map((c) => [c.name, c.target.kind]));

  // Three lists, each paged as /api/runs is (`limit` for all three, an offset each), each with its total.
  app.get('/', async (c) => {
    const limit = limitParameter(c.req.query('limit'));
    const offsets = {
      deadLetters: offsetParameter(c.req.query('deadLettersOffset'), 'deadLettersOffset'),
      deadlineMisses: offsetParameter(c.req.query('deadlineMissesOffset'), 'deadlineMissesOffset'),
      deliveries: offsetParameter(c.req.query('deliveriesOffset'), 'deliveriesOffset'),
    };
    const [letters, misses, deliveries, lettersTotal, missesTotal, deliveriesTotal] = await Promise.all([
      state.queue.deadLetters({ includeReplayed: true, limit, offset: offsets.deadLetters }),
      state.events.events({ kind: 'deadline_miss', limit, offset: offsets.deadlineMisses }),
      state.events.deliveries({ limit, offset: offsets.deliveries }),
      state.queue.countDeadLetters({ includeReplayed: true }),
      state.events.countEvents({ kind: 'deadline_miss' }),
      state.events.countDeliveries(),
    ]);
    const known = kinds();
    return c.json({
      deadLetters: letters.map(deadLetterView),
      deadlineMisses: misses.map(deadlineMissView),
      deliveries: deliveries.map((d) => deliveryView(d, known)),
      totals: { deadLetters: lettersTotal, deadlineMisses: missesTotal, deliveries: deliveriesTotal },
      offsets,
    } satisfies DeadLetterList);
  });

  app.get('/:id', async (c) => {
    const id = letterId(c.req.param('id'));
    const detail = await deadLetterDetail(api.orchestrator, id);
    if (!detail) throw new HttpError(404, `no dead letter ${id}`);
    return c.json(detail satisfies DeadLetterDetail);
  });

  app.post('/:id/replay', async (c) => {
    const id = letterId(c.req.param('id'));
    const letter = await state.queue.deadLetter(id);
    if (!letter) throw new HttpError(404, `no dead letter ${id}`);
    if (letter.replayedAt) throw new HttpError(409, `dead letter ${id} was already replayed at ${letter.replayedAt}`);
    const result = await api.requested.replay(id).catch((err: unknown) => {
      // An older plan of the hour than the lake holds: a conflict with the lake's state, not bad input.
      throw err instanceof ReplaySupersededError ? new HttpError(409, err.message) : err;
    });
    return c.json({ deadLetter: deadLetterView(result.deadLetter), run: runView(result.run) } satisfies ReplayAnswer, 202);
  });

  return app;
}
