/**
 * Timestamps at the edges of the storable years: the vehicle fast path and the full checks
 * accept the same lines with the same instants, and the full checks give the reason for the rest.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { vehicle } from '../../src/events/vehicle.js';
import { scanVehicleLine } from '../../src/events/vehicle-line-scanner.js';
import { parseTimestamp } from '../../src/events/timestamp.js';
import { decodeLine } from '../../src/pipeline/line-decoder.js';

const registry = defaultRegistry();
const NORMAL = '2019-06-01T18:23:57.196Z';
const line = (at: string, locAt: string): string =>
  `{"event":"update","on":"vehicle","at":"${at}","data":{"id":"v","location":{"lat":52.5,"lng":13.4,"at":"${locAt}"}},"organization_id":"o"}`;

/** The event_at and location_at the fast path would stage, or undefined when it declines. */
function fastInstants(text: string): (number | undefined)[] | undefined {
  const buf = Buffer.from(text);
  const spans = new Int32Array(2 * vehicle.columns.length);
  if (scanVehicleLine(buf, 0, buf.length, spans) !== buf.length) return undefined;
  return [2, 12].map((s) => parseTimestamp(buf.toString('utf8', spans[s], spans[s + 1])));
}

function slowInstants(text: string): (number | null)[] | string {
  const decoded = decodeLine(text, registry);
  if ('error' in decoded) return decoded.error;
  return [decoded.row[1] as number, decoded.row[6] as number | null];
}

describe('timestamps on both paths', () => {
  it.each([
    '0001-01-01T00:00:00.000Z',
    '0001-12-31T23:59:59.999Z',
    '0050-03-01T12:34:56.789Z',
    '0099-12-31T23:59:59.999Z',
    '0100-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59.999Z',
  ])('the fast path takes %s with the instant the full checks read', (t) => {
    const ms = Date.parse(t);
    for (const text of [line(t, t), line(NORMAL, t), line(t, NORMAL)]) {
      const fast = fastInstants(text);
      expect(fast).toBeDefined();
      expect(fast).toEqual(slowInstants(text));
    }
    expect(fastInstants(line(t, t))).toEqual([ms, ms]);
  });

  it.each([
    ['at', line('0000-12-31T23:59:59.999Z', NORMAL), '0000-12-31T23:59:59.999Z'],
    ['at', line('0001-01-01T00:30:00+01:00', NORMAL), '0001-01-01T00:30:00+01:00'],
    ['at', line('9999-12-31T23:30:00-01:00', NORMAL), '9999-12-31T23:30:00-01:00'],
    ['data.location.at', line(NORMAL, '0000-01-01T00:00:00.000Z'), '0000-01-01T00:00:00.000Z'],
    ['data.location.at', line(NORMAL, '9999-12-31T23:59:59.999-00:01'), '9999-12-31T23:59:59.999-00:01'],
  ])('quarantines "%s" outside the years 0001–9999 with its reason, never on the fast path', (path, text, value) => {
    expect(fastInstants(text)).toBeUndefined();
    expect(slowInstants(text)).toBe(`"${path}" is outside the years 0001–9999 (UTC): "${value}"`);
  });

  it('checks the operating period start and finish too', () => {
    const period = (start: string, finish: string): string =>
      JSON.stringify({ event: 'create', on: 'operating_period', at: NORMAL, organization_id: 'o', data: { id: 'p', start, finish } });
    const errorOf = (text: string): string | undefined => {
      const decoded = decodeLine(text, registry);
      return 'error' in decoded ? decoded.error : undefined;
    };
    expect(errorOf(period('0001-01-01T00:30:00+01:00', NORMAL))).toBe('"data.start" is outside the years 0001–9999 (UTC): "0001-01-01T00:30:00+01:00"');
    expect(errorOf(period(NORMAL, '9999-12-31T23:30:00-01:00'))).toBe('"data.finish" is outside the years 0001–9999 (UTC): "9999-12-31T23:30:00-01:00"');
    expect(decodeLine(period('0001-01-01T01:00:00+01:00', '9999-12-31T22:59:59.999-01:00'), registry)).toMatchObject({
      row: ['create', Date.parse(NORMAL), 'o', 'p', Date.parse('0001-01-01T00:00:00.000Z'), Date.parse('9999-12-31T23:59:59.999Z')],
    });
  });
});
