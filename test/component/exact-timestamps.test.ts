/**
 * Every accepted timestamp reaches the lake as the exact instant, on the fast path and the
 * full checks, in Parquet and Avro; an instant outside the years 0001–9999 (UTC) is quarantined.
 * Expected instants are written by hand as UTC text and read with Date.parse, which handles
 * four-digit years exactly (unlike Date.UTC, which maps 0–99 to 1900–1999).
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avrocat, listFiles, query, quarantinedLines, runCli, tempDir, writeObject } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const NORMAL = '2019-06-01T18:23:57.196Z';

/** The exact shape the vehicle fast path takes. */
const fast = (at: string, locAt: string): string =>
  `{"event":"update","on":"vehicle","at":"${at}","data":{"id":"v","location":{"lat":52.5,"lng":13.4,"at":"${locAt}"}},"organization_id":"org"}`;
/** The same event with whitespace: JSON.parse and the full checks. */
const slow = (at: string, locAt: string): string =>
  `{"event": "update", "on": "vehicle", "at": "${at}", "data": {"id": "v", "location": {"lat": 52.5, "lng": 13.4, "at": "${locAt}"}}, "organization_id": "org"}`;
const period = (event: string, at: string, start: string | null, finish: string | null): string =>
  JSON.stringify({ event, on: 'operating_period', at, data: { id: 'p', start, finish }, organization_id: 'org' });

/** Canonical `YYYY-MM-DDTHH:MM:SS.sssZ`: the fast path's shape when the line is. */
const CANONICAL = [
  '0001-01-01T00:00:00.000Z',
  '0004-02-29T00:00:00.000Z',
  '0050-03-01T12:34:56.789Z',
  '0099-12-31T23:59:59.999Z',
  '0100-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999Z',
];

/** Other accepted spellings, with the UTC instant they name. */
const OTHER: [string, string][] = [
  ['0001-01-01T01:30:00+01:00', '0001-01-01T00:30:00.000Z'],
  ['0000-12-31T23:30:00-01:00', '0001-01-01T00:30:00.000Z'],
  ['0100-01-01T00:30:00+01:00', '0099-12-31T23:30:00.000Z'],
  ['0099-12-31T23:30:00-01:00', '0100-01-01T00:30:00.000Z'],
  ['9999-12-31T22:59:59.999-01:00', '9999-12-31T23:59:59.999Z'],
  ['0050-03-01T12:34:56.789999Z', '0050-03-01T12:34:56.789Z'],
  ['1969-12-31T23:59:59.9999999Z', '1969-12-31T23:59:59.999Z'],
  ['0001-01-01T00:00:00.0009Z', '0001-01-01T00:00:00.000Z'],
  ['0050-03-01 12:34Z', '0050-03-01T12:34:00.000Z'],
];

const OUTSIDE = ['0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00', '0000-12-31T23:59:59.999Z', '0000-06-01T00:00:00Z'];
const outside = (path: string, text: string): string => `"${path}" is outside the years 0001–9999 (UTC): ${JSON.stringify(text)}`;

interface Expected {
  readonly line: number;
  readonly entity: 'vehicle' | 'operating_period';
  /** UTC instants as text, in column order: event_at, then location_at or start_at/finish_at. */
  readonly instants: readonly (string | null)[];
}

function buildInput(): { lines: string[]; rows: Expected[]; bad: [number, string][] } {
  const lines: string[] = [];
  const rows: Expected[] = [];
  const bad: [number, string][] = [];
  const row = (text: string, entity: Expected['entity'], instants: (string | null)[]): void => {
    lines.push(text);
    rows.push({ line: lines.length, entity, instants });
  };
  const reject = (text: string, reason: string): void => {
    lines.push(text);
    bad.push([lines.length, reason]);
  };
  for (const t of CANONICAL) {
    row(fast(t, t), 'vehicle', [t, t]);
    row(slow(t, t), 'vehicle', [t, t]);
    row(fast(NORMAL, t), 'vehicle', [NORMAL, t]);
  }
  for (const [t, utc] of OTHER) {
    row(fast(t, t), 'vehicle', [utc, utc]);
    row(slow(NORMAL, t), 'vehicle', [NORMAL, utc]);
  }
  for (const t of OUTSIDE) {
    reject(fast(t, NORMAL), outside('at', t));
    reject(slow(t, NORMAL), outside('at', t));
    reject(fast(NORMAL, t), outside('data.location.at', t));
    reject(slow(NORMAL, t), outside('data.location.at', t));
    reject(period('delete', t, null, null), outside('at', t));
    reject(period('create', NORMAL, t, '9999-12-31T23:59:59.999Z'), outside('data.start', t));
    reject(period('create', NORMAL, '0001-01-01T00:00:00.000Z', t), outside('data.finish', t));
  }
  row(period('create', '0050-03-01T12:34:56.789Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'), 'operating_period', [
    '0050-03-01T12:34:56.789Z',
    '0001-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
  ]);
  row(period('create', '9999-12-31T22:59:59.999-01:00', '0100-01-01T00:30:00+01:00', '0099-12-31T23:30:00.0009Z'), 'operating_period', [
    '9999-12-31T23:59:59.999Z',
    '0099-12-31T23:30:00.000Z',
    '0099-12-31T23:30:00.000Z',
  ]);
  row(period('delete', '0099-12-31T23:59:59.999Z', null, '0001-01-01T00:00:00.000+00:00'), 'operating_period', [
    '0099-12-31T23:59:59.999Z',
    null,
    '0001-01-01T00:00:00.000Z',
  ]);
  return { lines, rows, bad };
}

const ms = (utc: string | null): number | null => (utc === null ? null : Date.parse(utc));


const TIMESTAMP_MILLIS = { type: 'long', logicalType: 'timestamp-millis' };

/** The schema embedded in an Avro file's header, as written (not as avsc would resolve it). */
function embeddedSchema(file: string): { fields: { name: string; type: unknown }[] } {
  const header = avro.extractFileHeader(file, { decode: false }) as { meta: Record<string, Buffer> } | null;
  const schema = header?.meta['avro.schema'];
  if (!schema) throw new Error(`no Avro header in ${file}`);
  return JSON.parse(schema.toString('utf8')) as { fields: { name: string; type: unknown }[] };
}

describe('timestamps', () => {
  it('the test oracle reads four-digit years exactly', () => {
    expect(Date.parse('0001-01-01T00:00:00.000Z')).toBe(-62_135_596_800_000);
    expect(Date.parse('0099-12-31T23:59:59.999Z')).toBe(-59_011_459_200_001);
    expect(Date.parse('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(Date.parse('9999-12-31T23:59:59.999Z')).toBe(253_402_300_799_999);
  });

  it.each([['parquet'], ['avro']])('are stored as the exact instant in %s, or quarantined when outside 0001–9999', async (format) => {
    const source = await tempDir();
    const lake = await tempDir();
    const { lines, rows, bad } = buildInput();
    await writeObject(source, '2019-06-01-15-0-0-events.json', `${lines.join('\n')}\n`);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--format', format, '--json', '--state', `${lake}-s`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const vehicles = rows.filter((r) => r.entity === 'vehicle');
    const periods = rows.filter((r) => r.entity === 'operating_period');
    // Soft: one run shows every value that went wrong, not just the first.
    expect.soft(JSON.parse(result.stdout)).toMatchObject({
      events: { vehicle: vehicles.length, operating_period: periods.length },
      quarantined: bad.length,
    });
    expect.soft(await quarantinedLines(lake)).toEqual(bad);

    const expected = (list: Expected[]): (number | null)[][] => list.map((r) => [r.line, ...r.instants.map(ms)]);
    if (format === 'parquet') {
      const asNumbers = (got: Record<string, unknown>[]): (number | null)[][] =>
        got.map((r) => Object.values(r).map((v) => (v === null ? null : Number(v))));
      const vehicleRows = await query(
        `SELECT source_line, epoch_ms(event_at), epoch_ms(location_at) FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`,
      );
      expect.soft(asNumbers(vehicleRows)).toEqual(expected(vehicles));
      const periodRows = await query(
        `SELECT source_line, epoch_ms(event_at), epoch_ms(start_at), epoch_ms(finish_at) FROM '${lake}/operating_period/*/*/*.parquet' ORDER BY source_line`,
      );
      expect.soft(asNumbers(periodRows)).toEqual(expected(periods));
      return;
    }

    // avrocat prints a union's value as {"<branch>": value}; the timestamps are longs.
    const unwrap = (v: unknown): number | null => (v === null ? null : typeof v === 'number' ? v : (Object.values(v as object)[0] as number));
    const records = async (entity: string, columns: string[]): Promise<(number | null)[][]> => {
      const files = (await listFiles(`${lake}/${entity}`)).filter((f) => f.endsWith('.avro'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const fields = embeddedSchema(file).fields;
        expect.soft(fields.find((f) => f.name === 'event_at')?.type).toEqual(TIMESTAMP_MILLIS);
        for (const c of columns) expect.soft(fields.find((f) => f.name === c)?.type).toEqual(['null', TIMESTAMP_MILLIS]);
      }
      return files
        .flatMap((f) => avrocat(f))
        .map((r) => [unwrap(r['source_line']), unwrap(r['event_at']), ...columns.map((c) => unwrap(r[c]))])
        .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    };
    expect.soft(await records('vehicle', ['location_at'])).toEqual(expected(vehicles));
    expect.soft(await records('operating_period', ['start_at', 'finish_at'])).toEqual(expected(periods));
  });
});
