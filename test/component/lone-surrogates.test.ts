/**
 * A lone surrogate escape (JSON.parse accepts "\ud800") in a string that becomes a column is
 * quarantined: it is not Unicode, and Parquet would hold U+FFFD, Avro invalid UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { avroRecords, listFiles, query, quarantinedLines, runLines } from '../helpers/fixtures.js';

const AT = '2019-06-01T18:23:57.196Z';

/** The exact shape the vehicle fast path takes (ids and numbers written as JSON text). */
const fast = (id: string, lat: string, lng: string, org = '"org"'): string =>
  `{"event":"update","on":"vehicle","at":"${AT}","data":{"id":${id},"location":{"lat":${lat},"lng":${lng},"at":"${AT}"}},"organization_id":${org}}`;
/** The same event with whitespace: JSON.parse and the full checks. */
const slow = (id: string, lat: string, lng: string, org = '"org"', event = '"update"', extra = ''): string =>
  `{"event": ${event}, "on": "vehicle", "at": "${AT}", "data": {"id": ${id}, "location": {"lat": ${lat}, "lng": ${lng}, "at": "${AT}"}}, "organization_id": ${org}${extra}}`;
const period = (id: string, org = '"org"'): string =>
  `{"event":"delete","on":"operating_period","at":"${AT}","data":{"id":${id}},"organization_id":${org}}`;




describe('a lone surrogate escape', () => {
  const reason = (path: string, escape: string): string => `"${path}" is not valid Unicode: it holds the lone surrogate ${escape}`;
  const lines = [
    slow('"\\ud800"', '52.5', '13.4'), // 1
    slow('"v2"', '52.5', '13.4', '"org-\\udfff"'), // 2
    slow('"v3"', '52.5', '13.4', '"org"', '"update\\udbff"'), // 3
    slow('"\\ude00\\ud83d"', '52.5', '13.4'), // 4: a pair in the wrong order is two lone halves
    period('"\\ud800"'), // 5
    period('"p6"', '"\\udc00"'), // 6
    slow('"a\\ud83d\\ude00b"', '52.5', '13.4'), // 7: a real pair is fine
    slow('"v8"', '52.5', '13.4', '"org"', '"update"', ', "note": "\\ud800"'), // 8: not a column, not checked
    fast('"Zoë ✓"', '52.5', '13.4'), // 9: raw UTF-8, fast path
  ];

  it.each([['parquet'], ['avro']])('in a column value quarantines the line in %s', async (format) => {
    const { lake, summary } = await runLines(format, lines);
    expect(summary).toMatchObject({ events: { vehicle: 3 }, quarantined: 6 });
    expect(await quarantinedLines(lake)).toEqual([
      [1, reason('data.id', '\\ud800')],
      [2, reason('organization_id', '\\udfff')],
      [3, reason('event', '\\udbff')],
      [4, reason('data.id', '\\ude00')],
      [5, reason('data.id', '\\ud800')],
      [6, reason('organization_id', '\\udc00')],
    ]);
    const expected = [
      { vehicle_id: 'a😀b', organization_id: 'org' },
      { vehicle_id: 'v8', organization_id: 'org' },
      { vehicle_id: 'Zoë ✓', organization_id: 'org' },
    ];
    if (format === 'parquet') {
      expect(await query(`SELECT vehicle_id, organization_id FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`)).toEqual(expected);
      expect(await listFiles(`${lake}/operating_period`)).toEqual([]);
      return;
    }
    const records = await avroRecords(`${lake}/vehicle`);
    expect(records.map((r) => ({ vehicle_id: r['vehicle_id'], organization_id: r['organization_id'] }))).toEqual(expected);
    expect(await listFiles(`${lake}/operating_period`)).toEqual([]);
  });
});
