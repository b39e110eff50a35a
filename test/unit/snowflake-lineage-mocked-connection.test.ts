import { describe, expect, it } from 'vitest';
import { snowflakeLineage } from '../../src/warehouse/snowflake/snowflake-lineage.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';

const S = 'ANALYTICS.EVENTLAKE';

/** Edges ACCESS_HISTORY would give (base object read → object modified), as recorded rows. */
const EDGES: [string, string][] = [
  [`${S}.LAKE_VEHICLE`, `${S}.VEHICLE`],
  [`${S}.LAKE_OPERATING_PERIOD`, `${S}.OPERATING_PERIOD`],
  [`${S}.VEHICLE`, `${S}.FACT_VEHICLE_LOCATION`],
  [`${S}.FACT_VEHICLE_LOCATION`, `${S}.FACT_PERIOD_VEHICLE_DISTANCE`],
  [`${S}.DIM_OPERATING_PERIOD`, `${S}.FACT_PERIOD_VEHICLE_DISTANCE`],
  [`${S}.OPERATING_PERIOD`, `${S}.DIM_OPERATING_PERIOD`],
  // A cycle: a repair job copied the fact back into the internal table once.
  [`${S}.FACT_VEHICLE_LOCATION`, `${S}.VEHICLE`],
  [`${S}.VEHICLE`, `${S}.VEHICLE`],
];

/** A fake connection answering the lineage query from EDGES by the bound targets. */
function fake(): SqlConnection & { calls: { sql: string; binds: unknown[] | undefined }[] } {
  const calls: { sql: string; binds: unknown[] | undefined }[] = [];
  return {
    calls,
    async execute(sql: string, binds?: unknown[]) {
      calls.push({ sql, binds });
      if (sql.startsWith('SELECT CURRENT_DATABASE()')) return [{ DATABASE: 'ANALYTICS', SCHEMA: 'EVENTLAKE' }];
      const targets = new Set((binds ?? []).slice(1));
      return EDGES.filter(([, to]) => targets.has(to)).map(([from, to]) => ({ FROM_TABLE: from, TO_TABLE: to }));
    },
    async close() {},
  };
}

describe('snowflakeLineage (mocked connection)', () => {
  it('walks upstream level by level, each table once, through a cycle', async () => {
    const connection = fake();
    const result = await snowflakeLineage(connection, 'analytics.eventlake.fact_period_vehicle_distance');
    expect(result.table).toBe(`${S}.FACT_PERIOD_VEHICLE_DISTANCE`);
    expect(result.upstream).toEqual([
      { from: `${S}.FACT_VEHICLE_LOCATION`, to: `${S}.FACT_PERIOD_VEHICLE_DISTANCE` },
      { from: `${S}.DIM_OPERATING_PERIOD`, to: `${S}.FACT_PERIOD_VEHICLE_DISTANCE` },
      { from: `${S}.VEHICLE`, to: `${S}.FACT_VEHICLE_LOCATION` },
      { from: `${S}.OPERATING_PERIOD`, to: `${S}.DIM_OPERATING_PERIOD` },
      { from: `${S}.LAKE_VEHICLE`, to: `${S}.VEHICLE` },
      { from: `${S}.LAKE_OPERATING_PERIOD`, to: `${S}.OPERATING_PERIOD` },
      { from: `${S}.FACT_VEHICLE_LOCATION`, to: `${S}.VEHICLE` },
    ]);
    // One query per level; the cycle back to FACT_VEHICLE_LOCATION is not walked again.
    expect(connection.calls.map((c) => c.binds)).toEqual([
      [30, `${S}.FACT_PERIOD_VEHICLE_DISTANCE`],
      [30, `${S}.FACT_VEHICLE_LOCATION`, `${S}.DIM_OPERATING_PERIOD`],
      [30, `${S}.VEHICLE`, `${S}.OPERATING_PERIOD`],
      [30, `${S}.LAKE_VEHICLE`, `${S}.LAKE_OPERATING_PERIOD`],
    ]);
    const sql = connection.calls[0]!.sql;
    expect(sql).toContain('FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY AS "AH"');
    expect(sql).toContain('LATERAL FLATTEN(INPUT => "AH"."BASE_OBJECTS_ACCESSED")');
    expect(sql).toContain('LATERAL FLATTEN(INPUT => "AH"."OBJECTS_MODIFIED")');
    expect(sql).toContain('IN (?)');
  });

  it('qualifies a bare table name from the session and honours days', async () => {
    const connection = fake();
    const result = await snowflakeLineage(connection, 'vehicle', { days: 7 });
    expect(connection.calls[0]!.sql).toMatch(/^SELECT CURRENT_DATABASE\(\)/);
    expect(connection.calls[1]!.binds).toEqual([7, `${S}.VEHICLE`]);
    // VEHICLE ← FACT_VEHICLE_LOCATION ← VEHICLE is a cycle: both edges, each table walked once, no self edge.
    expect(result.upstream).toEqual([
      { from: `${S}.LAKE_VEHICLE`, to: `${S}.VEHICLE` },
      { from: `${S}.FACT_VEHICLE_LOCATION`, to: `${S}.VEHICLE` },
      { from: `${S}.VEHICLE`, to: `${S}.FACT_VEHICLE_LOCATION` },
    ]);
    expect(connection.calls).toHaveLength(3);
  });

  it('gives no edge for a table nothing wrote, and refuses a name that is not a table name', async () => {
    expect(await snowflakeLineage(fake(), `${S}.DIM_TIME`)).toEqual({ table: `${S}.DIM_TIME`, upstream: [] });
    await expect(snowflakeLineage(fake(), "x'; DROP TABLE y")).rejects.toThrow(/table name must be table, schema.table or database.schema.table/);
    await expect(snowflakeLineage(fake(), 'a.b.c.d')).rejects.toThrow(/table name must be/);
  });
});
