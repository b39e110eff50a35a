/**
 * Table-level lineage from Snowflake's access history: a query that read table A (its base
 * objects, views resolved to their tables) and wrote table B gives the edge A → B. Walks
 * upstream from a table, level by level, each table once, so cycles end.
 */
import type { LineageEdge, LineageResult, SqlConnection } from '../warehouse-target.js';

export interface LineageOptions {
  /** How far back the access history is read (ACCOUNT_USAGE keeps 365 days). Default 30. */
  readonly days?: number;
  /** How many levels upstream at most. Default 20. */
  readonly maxDepth?: number;
}

const PART = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]+")$/;

/** `a.b.c` as ACCESS_HISTORY names it: unquoted parts in upper case, quoted parts as written. */
function normalizePart(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1) : part.toUpperCase();
}

function splitName(table: string): string[] {
  const parts = table.trim().match(/"[^"]+"|[^.]+/g) ?? [];
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => !PART.test(p)) || parts.join('.') !== table.trim()) {
    throw new Error(`The table name must be table, schema.table or database.schema.table, got ${JSON.stringify(table)}.`);
  }
  return parts.map(normalizePart);
}

async function qualify(connection: SqlConnection, table: string): Promise<string> {
  const parts = splitName(table);
  if (parts.length === 3) return parts.join('.');
  const rows = await connection.execute('SELECT CURRENT_DATABASE() AS "DATABASE", CURRENT_SCHEMA() AS "SCHEMA"');
  const database = rows[0]?.['DATABASE'];
  const schema = rows[0]?.['SCHEMA'];
  if (typeof database !== 'string' || (parts.length === 1 && typeof schema !== 'string')) {
    throw new Error(`The session has no current database or schema, so name the table in full (database.schema.table), not ${JSON.stringify(table)}.`);
  }
  return parts.length === 2 ? [database, ...parts].join('.') : [database, schema as string, ...parts].join('.');
}

/** The edges into the given tables, from the access history of the last `days` days. */
export function upstreamEdgesSql(targets: number): string {
  const placeholders = Array.from({ length: targets }, () => '?').join(', ');
  return `SELECT DISTINCT "SRC".VALUE:"objectName"::VARCHAR AS "FROM_TABLE", "TGT".VALUE:"objectName"::VARCHAR AS "TO_TABLE"
FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY AS "AH",
  LATERAL FLATTEN(INPUT => "AH"."BASE_OBJECTS_ACCESSED") AS "SRC",
  LATERAL FLATTEN(INPUT => "AH"."OBJECTS_MODIFIED") AS "TGT"
WHERE "AH"."QUERY_START_TIME" >= DATEADD(DAY, -?, CURRENT_TIMESTAMP())
  AND "TGT".VALUE:"objectName"::VARCHAR IN (${placeholders})
  AND "SRC".VALUE:"objectName"::VARCHAR <> "TGT".VALUE:"objectName"::VARCHAR
ORDER BY "TO_TABLE", "FROM_TABLE"`;
}

export async function snowflakeLineage(connection: SqlConnection, table: string, options: LineageOptions = {}): Promise<LineageResult> {
  const days = options.days ?? 30;
  const maxDepth = options.maxDepth ?? 20;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`The lineage look-back must be 1 to 365 days, got ${days}.`);
  const root = await qualify(connection, table);
  const seen = new Set<string>([root]);
  const edges: LineageEdge[] = [];
  const edgeKeys = new Set<string>();
  let frontier = [root];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth += 1) {
    const rows = await connection.execute(upstreamEdgesSql(frontier.length), [days, ...frontier]);
    const next: string[] = [];
    for (const row of rows) {
      const from = row['FROM_TABLE'];
      const to = row['TO_TABLE'];
      if (typeof from !== 'string' || typeof to !== 'string' || from === to) continue;
      const key = `${from}\u0000${to}`;
      if (!edgeKeys.has(key)) {
        edgeKeys.add(key);
        edges.push({ from, to });
      }
      if (!seen.has(from)) {
        seen.add(from);
        next.push(from);
      }
    }
    frontier = next;
  }
  return { table: root, upstream: edges };
}
