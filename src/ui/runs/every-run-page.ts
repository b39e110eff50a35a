/**
 * Every run a `GET /api/runs?…` query matches, read a page at a time: the API answers at most
 * 1,000 runs a call, and a backfill's range can hold more. Pages are asked for newest first by
 * offset; a run queued meanwhile can only repeat one already read (kept once, by id), never hide one.
 */
import type { RunList, RunView } from '../../app/api-views.js';
import { getJson } from '../api/api-client.js';

/** The API's largest page (MAX_LIST in src/http/routes/runs-routes.ts). */
export const MOST_PER_CALL = 1000;

export async function everyRunPage(path: string): Promise<RunList> {
  const byId = new Map<string, RunView>();
  let read = 0;
  for (;;) {
    const url = new URL(path, location.href);
    url.searchParams.set('offset', String(read));
    url.searchParams.set('limit', String(MOST_PER_CALL));
    const page = await getJson<RunList>(`${url.pathname}${url.search}`);
    for (const run of page.runs) if (!byId.has(run.id)) byId.set(run.id, run);
    read += page.runs.length;
    if (page.runs.length === 0 || read >= page.total) return { runs: [...byId.values()], total: page.total, offset: 0 };
  }
}
