/** The vehicle fast path must agree with JSON.parse + full checks on every line it accepts. */
import { describe, expect, it } from 'vitest';
import type { RowValue } from '../../src/events/entity.js';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { parseTimestamp } from '../../src/events/timestamp.js';
import { vehicle } from '../../src/events/vehicle.js';
import { scanVehicleLine } from '../../src/events/vehicle-line-scanner.js';
import { decodeLine } from '../../src/pipeline/line-decoder.js';

const registry = defaultRegistry();
const AT = '2019-06-01T18:23:57.196Z';

function fastRow(line: string): RowValue[] | undefined {
  const buf = Buffer.from(`xx${line}yy`); // offsets must be honoured
  const spans = new Int32Array(2 * vehicle.columns.length);
  if (scanVehicleLine(buf, 2, buf.length - 2, spans) !== buf.length - 2) return undefined;
  return vehicle.columns.map((column, c) => {
    const start = spans[2 * c] as number;
    if (start < 0) return null;
    const text = buf.toString('utf8', start, spans[2 * c + 1]);
    if (column.type === 'double') return Number(text);
    if (column.type === 'timestamp') return parseTimestamp(text) ?? 'unparseable';
    return text;
  });
}

function slowRow(line: string): RowValue[] | undefined {
  const decoded = decodeLine(line, registry);
  return 'row' in decoded ? decoded.row : undefined;
}

const update = (loc: string, id = 'f0b87796-b25c-40b0-9145-8822509c17e1', org = 'org-id', event = 'update', at = AT): string =>
  `{"event":"${event}","on":"vehicle","at":"${at}","data":{"id":"${id}"${loc}},"organization_id":"${org}"}`;
const located = (lat: string, lng: string, at = `"${AT}"`): string => `,"location":{"lat":${lat},"lng":${lng},"at":${at}}`;

describe('scanVehicleLine', () => {
  it.each([
    ['an update', update(located('52.55762', '13.46649'))],
    ['a register', update(located('52.5', '-13.4'), undefined, undefined, 'register')],
    ['a deregister without location', update('', 'v1', 'org-id', 'deregister')],
    ['a null location', update(',"location":null', 'v1')],
    ['null coordinates', update(located('null', 'null'))],
    ['a null location time', update(located('52.5', '13.4', 'null'))],
    ['an empty id', update('', '')],
    ['a comma and UTF-8 in strings', update('', 'Zoë, 2', 'org,1')],
    ['negative zero and long fractions', update(located('-0', '179.99999999999999999'))],
  ])('accepts %s with the same values as the full checks', (_name, line) => {
    const fast = fastRow(line);
    expect(fast).toBeDefined();
    expect(fast).toEqual(slowRow(line));
  });

  it.each([
    ['an escaped quote', update('', 'a\\"b')],
    ['a unicode escape', update('', 'caf\\u00e9')],
    ['an exponent', update(located('5.2e1', '13.4'))],
    ['latitude 90 (valid, left to the full checks)', update(located('90', '13.4'))],
    ['latitude out of range', update(located('152.5', '13.4'))],
    ['a leading zero', update(located('05.5', '13.4'))],
    ['a bare minus', update(located('-', '13.4'))],
    ['a trailing dot', update(located('52.', '13.4'))],
    ['a string latitude', update(located('"52.5"', '13.4'))],
    ['Feb 30', update('', 'v1', 'o', 'update', '2019-02-30T18:23:57.196Z')],
    ['a time without milliseconds', update('', 'v1', 'o', 'update', '2019-06-01T18:23:57Z')],
    ['an offset time', update('', 'v1', 'o', 'update', '2019-06-01T18:23:57.196+01:00')],
    ['an unknown event', update('', 'v1', 'o', 'explode')],
    ['spaces between tokens', update('').replace('"on":', '"on": ')],
    ['an extra field', update('').replace('"organization_id"', '"x":1,"organization_id"')],
    ['trailing bytes', `${update('')} `],
    ['another entity', update('').replace('"vehicle"', '"operating_period"')],
    ['a tab inside a string', update('', 'a\tb')],
    ['a truncated line', update(located('52.5', '13.4')).slice(0, -2)],
  ])('leaves %s to the full checks', (_name, line) => {
    expect(fastRow(line)).toBeUndefined();
  });
});

describe('scanVehicleLine with a limit past the line', () => {
  const spans = new Int32Array(2 * vehicle.columns.length);
  const line = update(located('52.5', '13.4'));

  it('answers where the object ends, whatever follows it', () => {
    for (const after of ['\n', '\r\n', ' trailing', `\n${line}`, '']) {
      const buf = Buffer.from(`${line}${after}`);
      expect(scanVehicleLine(buf, 0, buf.length, spans), JSON.stringify(after)).toBe(Buffer.byteLength(line));
    }
  });

  it('never reads across a line break into the next line', () => {
    // The first line is cut inside its id; the next line would complete a valid object.
    const cut = line.indexOf('"id":"') + 8;
    const buf = Buffer.from(`${line.slice(0, cut)}\n${line.slice(cut)}`);
    expect(scanVehicleLine(buf, 0, buf.length, spans)).toBe(-1);
    const truncated = Buffer.from(`${line.slice(0, -1)}\n}`);
    expect(scanVehicleLine(truncated, 0, truncated.length, spans)).toBe(-1);
  });
});
