import { describe, expect, it } from 'vitest';
import { hourInterval } from '../../src/lineage/hour-interval.js';
import { lakeDataset, sourceDataset, warehouseDataset } from '../../src/lineage/lineage-datasets.js';
import { lineageRunId } from '../../src/lineage/lineage-run-id.js';

describe('lineage run ids', () => {
  it('are RFC 9562 version-5 UUIDs of eventlake\'s run id (as Python\'s uuid.uuid5 computes them)', () => {
    // python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('5b0f2a8e-6c1d-4e7f-a3b2-c9d08e4f1a67'), '2019-06-01T15-k3x9'))"
    expect(lineageRunId('2019-06-01T15-k3x9')).toBe('6e024c37-5aeb-5284-9ff4-76d1f7abab21');
    expect(lineageRunId('2019-06-01T15-k3x9')).toBe(lineageRunId('2019-06-01T15-k3x9'));
    expect(lineageRunId('2019-06-01T15-k3xa')).not.toBe(lineageRunId('2019-06-01T15-k3x9'));
  });
});

describe('the nominal time of an hour', () => {
  it('is the hour in the source\'s time zone, across a change of offset', () => {
    expect(hourInterval('2019-06-01T15', 'UTC')).toEqual({ start: new Date('2019-06-01T15:00:00Z'), end: new Date('2019-06-01T16:00:00Z') });
    expect(hourInterval('2019-06-01T15', 'Europe/Berlin')).toEqual({ start: new Date('2019-06-01T13:00:00Z'), end: new Date('2019-06-01T14:00:00Z') });
    expect(hourInterval('2019-01-01T00', 'America/New_York')?.start).toEqual(new Date('2019-01-01T05:00:00Z'));
    // The hour after the spring-forward gap in Berlin (02:00 does not exist; 03:00 is CEST).
    expect(hourInterval('2019-03-31T03', 'Europe/Berlin')?.start).toEqual(new Date('2019-03-31T01:00:00Z'));
    expect(hourInterval('not an hour', 'UTC')).toBeUndefined();
  });
});

describe('dataset names', () => {
  it('follow OpenLineage\'s naming: a folder is `file` and its path, a bucket `s3://bucket` and its prefix', () => {
    expect(lakeDataset({ kind: 'local', root: '/data/lake' }, 'vehicle')).toEqual({ namespace: 'file', name: '/data/lake/vehicle' });
    expect(lakeDataset({ kind: 's3', bucket: 'b', prefix: 'lake/' }, 'vehicle')).toEqual({ namespace: 's3://b', name: 'lake/vehicle' });
    expect(lakeDataset({ kind: 's3', bucket: 'b', prefix: '' }, 'vehicle')).toEqual({ namespace: 's3://b', name: 'vehicle' });
    expect(sourceDataset({ kind: 's3', bucket: 'b', prefix: '' })).toEqual({ namespace: 's3://b', name: '/' });
    expect(sourceDataset({ kind: 's3', bucket: 'b', prefix: 'events/' })).toEqual({ namespace: 's3://b', name: 'events' });
    expect(warehouseDataset('/s/warehouse.duckdb', 'dim_vehicle')).toEqual({ namespace: 'duckdb:///s/warehouse.duckdb', name: 'warehouse.main.dim_vehicle' });
  });
});
