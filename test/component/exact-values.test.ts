/** Values reach the lake exactly, whether a line takes the fast path or the full checks. */
import { describe, expect, it } from 'vitest';
import { avrocat, listFiles, query, runCli, tempDir, writeObject } from '../helpers/fixtures.js';

const at = '2019-06-01T18:23:57.196Z';
const line = (id: string, org: string, lat = '52.5', lng = '13.4'): string =>
  `{"event":"update","on":"vehicle","at":"${at}","data":{"id":${id},"location":{"lat":${lat},"lng":${lng},"at":"${at}"}},"organization_id":${org}}`;

describe('string and number values', () => {
  it.each([['parquet'], ['avro']])('round-trip through %s', async (format) => {
    const source = await tempDir();
    const lake = await tempDir();
    const lines = [
      line('"a,b"', '""'), // fast path: comma, empty string
      line('"Zoë ✓"', '"org,1"', '-0', '179.99999999999999999'), // fast path: UTF-8, comma
      line('"quote\\"inside"', '"back\\\\slash"', '5.2e1', '1E-7'), // full checks: escapes, exponents
      line('"new\\nline"', '"tab\\t"', '52.557620123456789', '13'), // full checks: escaped line breaks
    ];
    await writeObject(source, '2019-06-01-15-0-0-events.json', `${lines.join('\n')}\n`);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', '2019-06-01T15', '--format', format, '--json', '--state', `${lake}-s`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: { vehicle: 4 }, quarantined: 0 });
    const ms = String(Date.parse(at));
    const expected = [
      { vehicle_id: 'a,b', organization_id: '', lat: 52.5, lng: 13.4, at_ms: ms },
      { vehicle_id: 'Zoë ✓', organization_id: 'org,1', lat: -0, lng: 180, at_ms: ms },
      { vehicle_id: 'quote"inside', organization_id: 'back\\slash', lat: 52, lng: 1e-7, at_ms: ms },
      { vehicle_id: 'new\nline', organization_id: 'tab\t', lat: Number('52.557620123456789'), lng: 13, at_ms: ms },
    ];
    if (format === 'avro') {
      const files = (await listFiles(`${lake}/vehicle`)).filter((f) => f.endsWith('.avro'));
      const records = files.flatMap((f) => avrocat(f)).sort((a, b) => Number(a['source_line']) - Number(b['source_line']));
      const unwrap = (v: unknown): number => Number((v as { double: number }).double);
      expect(
        records.map((r) => ({
          vehicle_id: r['vehicle_id'],
          organization_id: r['organization_id'],
          lat: unwrap(r['lat']),
          lng: unwrap(r['lng']),
          at_ms: String(r['event_at']),
        })),
      ).toEqual(expected);
      return;
    }
    const rows = await query(
      `SELECT vehicle_id, organization_id, lat, lng, epoch_ms(event_at) AS at_ms FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`,
    );
    expect(rows).toEqual(expected);
  });

  it('keeps exact duplicate lines as separate rows (deduplication belongs to the warehouse)', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const same = line('"v1"', '"org-id"');
    await writeObject(source, '2019-06-01-15-0-0-events.json', `${same}\n${same}\n`);
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${same}\n`);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', '2019-06-01T15', '--json', '--state', `${lake}-s`]);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: { vehicle: 3 } });
    const rows = await query(`SELECT source_object, source_line FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY 1, 2`);
    expect(rows).toEqual([
      { source_object: '2019-06-01-15-0-0-events.json', source_line: '1' },
      { source_object: '2019-06-01-15-0-0-events.json', source_line: '2' },
      { source_object: '2019-06-01-15-0-1-events.json', source_line: '1' },
    ]);
  });
});
