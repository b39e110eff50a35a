/**
 * A small model set written against the compiled-model contract (not the project's models): it
 * has each shape the load procedure handles, so the procedure's protocol is tested whatever the
 * project's models look like: incremental models reading loaded tables and other models, a table
 * reading models, and a table reading nothing.
 */
import type { CompiledModel } from '../../src/warehouse/compiled-model.js';
import type { ModelDialect } from '../../src/warehouse/model-dialect.js';

export function stubModels(d: ModelDialect): CompiledModel[] {
  const model = (m: Omit<CompiledModel, 'tests' | 'hash' | 'file'> & { tests?: CompiledModel['tests'] }): CompiledModel => ({
    tests: [],
    ...m,
    hash: `hash-of-${m.name}`,
    file: `stub/${m.name}.sql`,
  });
  const periodKey = d.key(['organization_id', 'period_id']);
  return [
    model({
      name: 'dim_time',
      materialized: 'table',
      uniqueKey: [],
      dependsOn: [],
      fullSelect: 'SELECT 0 AS time_key',
      incrementalSelect: null,
      changedKeys: null,
    }),
    model({
      name: 'dim_operating_period',
      materialized: 'incremental',
      uniqueKey: ['period_key'],
      dependsOn: ['operating_period'],
      fullSelect: `SELECT ${periodKey} AS period_key, start_at, finish_at FROM ${d.table('operating_period')}`,
      incrementalSelect: `SELECT ${periodKey} AS period_key, start_at, finish_at FROM ${d.table('operating_period')} WHERE ${periodKey} IN (SELECT period_key FROM ${d.keysTable('dim_operating_period')})`,
      changedKeys: `SELECT DISTINCT ${periodKey} AS period_key FROM ${d.changesTable('operating_period')}`,
    }),
    model({
      name: 'fact_vehicle_location',
      materialized: 'incremental',
      uniqueKey: ['date', 'hour'],
      dependsOn: ['vehicle'],
      tests: [{ kind: 'not_null', columns: ['vehicle_key'] }],
      fullSelect: `SELECT date, hour, ${d.key(['organization_id', 'vehicle_id'])} AS vehicle_key, ${d.dateKey('location_at')} AS date_key, ${d.minuteOfDay('location_at')} AS time_key, location_at, lat, lng FROM ${d.table('vehicle')}`,
      incrementalSelect: `SELECT date, hour, ${d.key(['organization_id', 'vehicle_id'])} AS vehicle_key, ${d.dateKey('location_at')} AS date_key, ${d.minuteOfDay('location_at')} AS time_key, location_at, lat, lng FROM ${d.table('vehicle')} AS v JOIN ${d.keysTable('fact_vehicle_location')} AS k USING (date, hour)`,
      changedKeys: `SELECT DISTINCT date, hour FROM ${d.changesTable('vehicle')}`,
    }),
    model({
      name: 'fact_period_vehicle_distance',
      materialized: 'incremental',
      uniqueKey: ['period_key'],
      dependsOn: ['dim_operating_period', 'fact_vehicle_location'],
      fullSelect: `SELECT p.period_key, f.vehicle_key, count(*) AS points FROM ${d.table('dim_operating_period')} AS p JOIN ${d.table('fact_vehicle_location')} AS f ON f.location_at BETWEEN p.start_at AND p.finish_at GROUP BY 1, 2`,
      incrementalSelect: `SELECT p.period_key, f.vehicle_key, count(*) AS points FROM ${d.table('dim_operating_period')} AS p JOIN ${d.keysTable('fact_period_vehicle_distance')} USING (period_key) JOIN ${d.table('fact_vehicle_location')} AS f ON f.location_at BETWEEN p.start_at AND p.finish_at GROUP BY 1, 2`,
      changedKeys: `SELECT period_key FROM ${d.changesTable('dim_operating_period')} UNION SELECT p.period_key FROM ${d.table('dim_operating_period')} AS p JOIN ${d.changesTable('fact_vehicle_location')} AS c ON c.location_at BETWEEN p.start_at AND p.finish_at`,
    }),
    model({
      name: 'bi_avg_distance',
      materialized: 'table',
      uniqueKey: [],
      dependsOn: ['fact_period_vehicle_distance', 'dim_operating_period'],
      fullSelect: `SELECT period_key, count(*) AS vehicles FROM ${d.table('fact_period_vehicle_distance')} GROUP BY period_key`,
      incrementalSelect: null,
      changedKeys: null,
    }),
  ];
}
