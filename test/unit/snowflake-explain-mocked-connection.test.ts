import { describe, expect, it } from 'vitest';
import { explainSnowflake } from '../../src/warehouse/snowflake/snowflake-explain.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';

/** The shape of EXPLAIN USING JSON as snowflake-sdk returns it: one row, the plan as a JSON string in `content`. */
function recordedPlan(assigned: number, total: number): Record<string, unknown>[] {
  const plan = {
    GlobalStats: { partitionsTotal: total, partitionsAssigned: assigned, bytesAssigned: 1048576 },
    Operations: [
      [
        { id: 0, operation: 'Result', expressions: ['COUNT(*)'] },
        { id: 1, parentOperators: [0], operation: 'Aggregate' },
        { id: 2, parentOperators: [1], operation: 'ExternalScan', objects: ['ANALYTICS.EVENTLAKE.LAKE_VEHICLE'], partitionsAssigned: assigned, partitionsTotal: total },
      ],
    ],
  };
  return [{ content: JSON.stringify(plan) }];
}

function fake(rows: Record<string, unknown>[]): SqlConnection & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async execute(sql: string) {
      sent.push(sql);
      return rows;
    },
    async close() {},
  };
}

describe('explainSnowflake (mocked connection)', () => {
  it('reads partitions assigned and total, no warning when the query prunes', async () => {
    const connection = fake(recordedPlan(3, 240));
    const result = await explainSnowflake(connection, `SELECT count(*) FROM lake_vehicle WHERE "DATE" = '2019-06-01';`);
    expect(connection.sent).toEqual([`EXPLAIN USING JSON SELECT count(*) FROM lake_vehicle WHERE "DATE" = '2019-06-01'`]);
    expect(result).toMatchObject({ partitions_read: 3, partitions_total: 240, warning: null });
    expect(result.plan).toMatchObject({ GlobalStats: { partitionsAssigned: 3 } });
  });

  it('warns in one sentence when every partition is read', async () => {
    const result = await explainSnowflake(fake(recordedPlan(240, 240)), 'SELECT count(*) FROM lake_vehicle');
    expect(result.warning).toBe('The query reads all 240 partitions: filter on the partition columns (date, hour) or the clustering keys so it can prune.');
  });

  it('does not warn for a one-partition table, and reads an upper-case column or an object plan', async () => {
    expect((await explainSnowflake(fake(recordedPlan(1, 1)), 'SELECT 1 FROM dim_time')).warning).toBeNull();
    const upper = [{ CONTENT: recordedPlan(0, 0)[0]!['content'] }];
    expect(await explainSnowflake(fake(upper), 'SELECT 1')).toMatchObject({ partitions_read: 0, partitions_total: 0, warning: null });
    const object = [{ content: { GlobalStats: { partitionsAssigned: '2', partitionsTotal: '5' } } }];
    expect(await explainSnowflake(fake(object), 'SELECT 1')).toMatchObject({ partitions_read: 2, partitions_total: 5 });
  });

  it('says so when the answer holds no plan', async () => {
    await expect(explainSnowflake(fake([{ content: 'not json' }]), 'SELECT 1')).rejects.toThrow('EXPLAIN USING JSON returned no plan with GlobalStats.');
    await expect(explainSnowflake(fake([{ content: '{"GlobalStats":{}}' }]), 'SELECT 1')).rejects.toThrow(/partitionsAssigned is not a count/);
  });
});
