/** A lone surrogate escape in a string that becomes a column is quarantined, naming the field. */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { decodeLine } from '../../src/pipeline/line-decoder.js';

const registry = defaultRegistry();
const at = '2019-06-01T18:23:57.196Z';
const vehicle = (event: string, id: string, org: string, extra = ''): string =>
  `{"event":"${event}","on":"vehicle","at":"${at}","data":{"id":"${id}"${extra}},"organization_id":"${org}"}`;
const period = (id: string, org: string): string => `{"event":"delete","on":"operating_period","at":"${at}","data":{"id":"${id}"},"organization_id":"${org}"}`;
const reason = (path: string, escape: string): string => `"${path}" is not valid Unicode: it holds the lone surrogate ${escape}`;

describe('lone surrogates', () => {
  it.each([
    ['a high surrogate in data.id', vehicle('update', '\\ud800', 'o'), reason('data.id', '\\ud800')],
    ['a low surrogate in data.id', vehicle('update', 'x\\udfffy', 'o'), reason('data.id', '\\udfff')],
    ['a pair in the wrong order', vehicle('update', '\\ude00\\ud83d', 'o'), reason('data.id', '\\ude00')],
    ['a high surrogate at the end', vehicle('update', 'v\\ud83d', 'o'), reason('data.id', '\\ud83d')],
    ['organization_id', vehicle('update', 'v', 'org\\udc00'), reason('organization_id', '\\udc00')],
    ['event', vehicle('update\\ud800', 'v', 'o'), reason('event', '\\ud800')],
    ['an operating period id', period('\\udbff', 'o'), reason('data.id', '\\udbff')],
    ['an operating period organization', period('p', '\\ud800'), reason('organization_id', '\\ud800')],
  ])('quarantines %s', (_name, line, expected) => {
    expect(decodeLine(line, registry)).toEqual({ error: expected });
  });

  it('keeps surrogate pairs, raw or escaped, and ignores fields that are not stored', () => {
    expect(decodeLine(vehicle('update', 'a\\ud83d\\ude00b', '😀'), registry)).toMatchObject({ row: ['update', Date.parse(at), '😀', 'a😀b', null, null, null] });
    expect(decodeLine(vehicle('update', 'v', 'o', ',"note":"\\ud800"'), registry)).toMatchObject({ row: ['update', Date.parse(at), 'o', 'v', null, null, null] });
  });
});
