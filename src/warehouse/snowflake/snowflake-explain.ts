/**
 * A query's plan from `EXPLAIN USING JSON`, and how well it prunes: Snowflake's plan says how
 * many micro-partitions (for an external table: files) the query is assigned out of the total.
 */
import type { ExplainResult, SqlConnection } from '../warehouse-target.js';

interface JsonPlan {
  GlobalStats?: { partitionsAssigned?: unknown; partitionsTotal?: unknown };
}

/** The plan object in EXPLAIN's one row (its column is `content`; any case, a string or an object). */
function planOf(rows: Record<string, unknown>[]): JsonPlan {
  for (const row of rows) {
    for (const value of Object.values(row)) {
      let candidate: unknown = value;
      if (typeof value === 'string') {
        try {
          candidate = JSON.parse(value);
        } catch {
          continue;
        }
      }
      if (candidate !== null && typeof candidate === 'object' && 'GlobalStats' in candidate) return candidate as JsonPlan;
    }
  }
  throw new Error('EXPLAIN USING JSON returned no plan with GlobalStats.');
}

function count(value: unknown, name: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new Error(`The plan's GlobalStats.${name} is not a count: ${JSON.stringify(value)}.`);
  }
  return n;
}

export async function explainSnowflake(connection: SqlConnection, query: string): Promise<ExplainResult> {
  const sql = query.trim().replace(/;\s*$/, '');
  if (sql === '') throw new Error('Give a query to explain.');
  const plan = planOf(await connection.execute(`EXPLAIN USING JSON ${sql}`));
  const read = count(plan.GlobalStats?.partitionsAssigned, 'partitionsAssigned');
  const total = count(plan.GlobalStats?.partitionsTotal, 'partitionsTotal');
  const warning =
    read === total && total > 1
      ? `The query reads all ${total} partitions: filter on the partition columns (date, hour) or the clustering keys so it can prune.`
      : null;
  return { plan, partitions_read: read, partitions_total: total, warning };
}
