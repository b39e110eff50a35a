/** `GET /api/lake`: partitions per entity with files, rows and bytes, small files flagged. */
import { Hono } from 'hono';
import type { LakeView } from '../../app/api-views.js';
import { lakePartitions } from '../../app/lake-partitions.js';
import type { ApiContext } from '../api-context.js';

export function lakeRoute(api: ApiContext): Hono {
  return new Hono().get('/', async (c) => c.json((await lakePartitions(api.orchestrator, api.target.lake)) satisfies LakeView));
}
