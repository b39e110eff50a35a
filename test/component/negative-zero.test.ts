/** -0 is stored as -0, as the source wrote it, on both paths and in both formats. */
import { describe, expect, it } from 'vitest';
import { avroRecords, query, runLines } from '../helpers/fixtures.js';

const AT = '2019-06-01T18:23:57.196Z';

/** The exact shape the vehicle fast path takes. */
const fast = (id: string, lat: string, lng: string): string =>
  `{"event":"update","on":"vehicle","at":"${AT}","data":{"id":${id},"location":{"lat":${lat},"lng":${lng},"at":"${AT}"}},"organization_id":"org"}`;
/** The same event with whitespace: JSON.parse and the full checks. */
const slow = (id: string, lat: string, lng: string): string =>
  `{"event": "update", "on": "vehicle", "at": "${AT}", "data": {"id": ${id}, "location": {"lat": ${lat}, "lng": ${lng}, "at": "${AT}"}}, "organization_id": "org"}`;



/** avrocat prints a union's value as {"<branch>": value}. */
const unwrap = (v: unknown): unknown => (v !== null && typeof v === 'object' ? Object.values(v)[0] : v);

type Zero = -0 | 0;

/** Lines and the lat/lng each must be stored as. */
const SCENARIOS: Record<string, [string, Zero, Zero][]> = {
  // The full checks alone: JSON.parse gives -0, which used to be staged for DuckDB as "0".
  'the full checks': [
    [slow('"v1"', '-0', '-0.0'), -0, -0],
    [slow('"v2"', '-0e0', '-0.0E+5'), -0, -0],
  ],
  // Both paths, with +0 in the same column: enough repeats for DuckDB to dictionary-encode it,
  // and its dictionary compares with ==, folding -0 into the +0 seen first.
  'both paths beside +0': [
    [fast('"v1"', '0', '0.0'), 0, 0],
    [fast('"v2"', '-0', '-0.0'), -0, -0],
    [slow('"v3"', '-0', '-0.0'), -0, -0],
    [slow('"v4"', '-0e0', '-0.0E+5'), -0, -0],
    [slow('"v5"', '0', '0e3'), 0, 0],
    [fast('"v6"', '0.000', '-0.000'), 0, -0],
  ],
  // A plain decimal that underflows to -0.0 on the fast path, after eight ordinary "lat":0
  // rows of the same column chunk: flagged by the text it used to be missed, and the
  // dictionary gave all nine the first one's sign.
  'a fast-path decimal that underflows': [
    ...Array.from({ length: 8 }, (_, i): [string, Zero, Zero] => [fast(`"v${i + 1}"`, '0', '0'), 0, 0]),
    [fast('"v9"', `-0.${'0'.repeat(330)}1`, `-0.${'0'.repeat(330)}1`), -0, -0],
  ],
};

describe('negative zero', () => {
  const cases = Object.keys(SCENARIOS).flatMap((scenario) => [
    ['parquet', scenario],
    ['avro', scenario],
  ]);

  it.each(cases)('is stored as -0 in %s from %s', async (format, scenario) => {
    const input = SCENARIOS[scenario] ?? [];
    const { lake, summary } = await runLines(format, input.map(([line]) => line));
    expect(summary).toMatchObject({ events: { vehicle: input.length }, quarantined: 0 });
    const expected = input.map(([, lat, lng], i) => ({ vehicle_id: `v${i + 1}`, lat, lng }));
    if (format === 'parquet') {
      const rows = await query(`SELECT vehicle_id, lat, lng FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`);
      expect(rows).toEqual(expected);
      // Independent of how the client prints -0: the sign shows in a division.
      const signs = await query(`SELECT (1 / lat)::VARCHAR AS lat, (1 / lng)::VARCHAR AS lng FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`);
      const inf = (zero: Zero): string => (Object.is(zero, -0) ? '-inf' : 'inf');
      expect(signs).toEqual(input.map(([, lat, lng]) => ({ lat: inf(lat), lng: inf(lng) })));
      return;
    }
    const records = await avroRecords(`${lake}/vehicle`);
    expect(records.map((r) => ({ vehicle_id: r['vehicle_id'], lat: Number(unwrap(r['lat'])), lng: Number(unwrap(r['lng'])) }))).toEqual(expected);
  });
});
