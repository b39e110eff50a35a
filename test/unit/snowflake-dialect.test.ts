import { describe, expect, it } from 'vitest';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';

const d = snowflakeDialect('"ANALYTICS"."EVENTLAKE"');

describe('the Snowflake model dialect (text only: no Snowflake here)', () => {
  it('qualifies and quotes names; changes and keys tables cannot share a model\'s name', () => {
    expect(d.table('dim_vehicle')).toBe('"ANALYTICS"."EVENTLAKE"."DIM_VEHICLE"');
    expect(d.changesTable('vehicle')).toBe('"ANALYTICS"."EVENTLAKE"."_CHANGES_VEHICLE"');
    expect(d.keysTable('fact_vehicle_location')).toBe('"ANALYTICS"."EVENTLAKE"."_KEYS_FACT_VEHICLE_LOCATION"');
    expect(() => d.table('x"; DROP TABLE y')).toThrow(/lower-case letters, digits and _/);
  });

  it('keys are MD5_NUMBER_LOWER64 of the parts as text: one part is its bare text (the keys eventlake always had), NULL is empty, parts joined by |', () => {
    expect(d.key(['organization_id'])).toBe(`MD5_NUMBER_LOWER64(COALESCE(TO_VARCHAR(organization_id), ''))`);
    expect(d.key(['organization_id', 'vehicle_id'])).toBe(
      `MD5_NUMBER_LOWER64(COALESCE(TO_VARCHAR(organization_id), '') || '|' || COALESCE(TO_VARCHAR(vehicle_id), ''))`,
    );
    expect(() => d.key([])).toThrow(/at least one/);
  });

  it('date keys, minutes of the day and ISO weekdays need no format string nor session parameter', () => {
    expect(d.dateKey('location_at')).toBe('(YEAR(location_at) * 10000 + MONTH(location_at) * 100 + DAY(location_at))');
    expect(d.minuteOfDay('location_at')).toBe('(HOUR(location_at) * 60 + MINUTE(location_at))');
    expect(d.isoWeekday('day')).toBe('DAYOFWEEKISO(day)');
    expect(d.hourStart('location_at')).toBe(`DATE_TRUNC('HOUR', location_at)`);
  });
});
