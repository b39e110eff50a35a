import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { decodeLine } from '../../src/pipeline/line-decoder.js';

const registry = defaultRegistry();
const at = '2019-06-01T18:23:57.196Z';
const atMs = Date.UTC(2019, 5, 1, 18, 23, 57, 196);

function line(fields: Record<string, unknown>): string {
  return JSON.stringify({ event: 'update', on: 'vehicle', at, organization_id: 'org-id', ...fields });
}

function errorOf(text: string): string {
  const decoded = decodeLine(text, registry);
  if (!('error' in decoded)) throw new Error(`expected an error for ${text}`);
  return decoded.error;
}

describe('vehicle', () => {
  it('turns an update into a row with 64-bit coordinates and both timestamps', () => {
    const decoded = decodeLine(line({ data: { id: 'v1', location: { lat: 52.557620123456, lng: 13.46649, at } } }), registry);
    expect(decoded).toEqual({
      entity: registry.get('vehicle'),
      row: ['update', atMs, 'org-id', 'v1', 52.557620123456, 13.46649, atMs],
    });
  });

  it('accepts a null, absent or partly null location', () => {
    for (const data of [{ id: 'v1' }, { id: 'v1', location: null }, { id: 'v1', location: { lat: null, lng: null, at: null } }]) {
      const decoded = decodeLine(line({ event: 'deregister', data }), registry);
      expect(decoded).toMatchObject({ row: ['deregister', atMs, 'org-id', 'v1', null, null, null] });
    }
  });

  it('tolerates unknown extra fields', () => {
    const decoded = decodeLine(line({ extra: 1, data: { id: 'v1', note: 'x' } }), registry);
    expect(decoded).toHaveProperty('row');
  });

  it.each([
    ['a string where a number belongs', { data: { id: 'v1', location: { lat: '52.5', lng: 13.4, at } } }, '"data.location.lat" must be a number or null, got string'],
    ['an out-of-range latitude', { data: { id: 'v1', location: { lat: 152.5, lng: 13.4, at } } }, '"data.location.lat" must be between -90 and 90, got 152.5'],
    ['an unparseable location time', { data: { id: 'v1', location: { lat: 52.5, lng: 13.4, at: 'yesterday' } } }, '"data.location.at" is not an ISO-8601 timestamp: "yesterday"'],
    ['a location that is not an object', { data: { id: 'v1', location: [52.5, 13.4] } }, '"data.location" must be an object or null, got array'],
    ['an unknown vehicle event', { event: 'explode', data: { id: 'v1' } }, 'vehicle event must be "register", "update" or "deregister", got "explode"'],
  ])('quarantines %s', (_name, fields, reason) => {
    expect(errorOf(line(fields))).toBe(reason);
  });
});

describe('operating_period', () => {
  const period = (event: string, data: Record<string, unknown>): string =>
    JSON.stringify({ event, on: 'operating_period', at, organization_id: 'org-id', data });

  it('turns a create into a row', () => {
    const decoded = decodeLine(period('create', { id: 'op_1', start: '2019-06-01T18:23:04.079Z', finish: '2019-06-01T18:28:04.079Z' }), registry);
    expect(decoded).toMatchObject({
      row: ['create', atMs, 'org-id', 'op_1', Date.UTC(2019, 5, 1, 18, 23, 4, 79), Date.UTC(2019, 5, 1, 18, 28, 4, 79)],
    });
  });

  it('lets a delete omit start and finish', () => {
    expect(decodeLine(period('delete', { id: 'op_1' }), registry)).toMatchObject({ row: ['delete', atMs, 'org-id', 'op_1', null, null] });
  });

  it('requires start and finish on create, in order', () => {
    expect(errorOf(period('create', { id: 'op_1', finish: at }))).toBe('"data.start" is required for a create event');
    expect(errorOf(period('create', { id: 'op_1', start: at }))).toBe('"data.finish" is required for a create event');
    expect(errorOf(period('create', { id: 'op_1', start: at, finish: '2019-06-01T18:00:00Z' }))).toBe('"data.finish" is before "data.start"');
  });

  it('rejects unknown events', () => {
    expect(errorOf(period('pause', { id: 'op_1' }))).toBe('operating_period event must be "create" or "delete", got "pause"');
  });
});

describe('envelope', () => {
  it.each([
    ['invalid JSON', '{"event":', /^invalid JSON: /],
    ['a JSON array', '[1,2]', /^line is a JSON array, not an object$/],
    ['a JSON string', '"hello"', /^line is a JSON string, not an object$/],
    ['an unknown entity', line({ on: 'bicycle', data: { id: 'b1' } }), /^unknown entity "on": "bicycle"$/],
    ['missing data', line({}), /^"data" must be an object, got nothing \(missing\)$/],
    ['a numeric id', line({ data: { id: 7 } }), /^"data.id" must be a string, got number$/],
    ['an unparseable at', line({ at: '2019-13-01T00:00:00Z', data: { id: 'v1' } }), /^"at" is not an ISO-8601 timestamp: "2019-13-01T00:00:00Z"$/],
    ['a numeric organization', line({ organization_id: 5, data: { id: 'v1' } }), /^"organization_id" must be a string, got number$/],
    ['a missing event', JSON.stringify({ on: 'vehicle', at, organization_id: 'o', data: { id: 'v' } }), /^"event" must be a string, got nothing \(missing\)$/],
    ['a numeric on', line({ on: 3, data: { id: 'v' } }), /^"on" must be a string, got number$/],
    ['a numeric at', line({ at: 3, data: { id: 'v' } }), /^"at" must be a timestamp string, got number$/],
  ])('quarantines %s with its reason', (_name, text, reason) => {
    expect(errorOf(text)).toMatch(reason);
  });
});
