import { describe, expect, it } from 'vitest';
import { parseHour } from '../../src/pipeline/hour.js';
import { parseSourceObjectName } from '../../src/pipeline/source-object-name.js';

describe('parseSourceObjectName', () => {
  it.each([
    ['2019-06-01-15-17-4-events.txt', { date: '2019-06-01', hour: '15', minute: 17, second: 4, gzip: false }],
    ['2019/06/01/15/07/2019-06-01-15-07-04-events.json.gz', { date: '2019-06-01', hour: '15', minute: 7, second: 4, gzip: true }],
    ['deep/er/2019-06-01-09-0-0-events.jsonl', { date: '2019-06-01', hour: '09', minute: 0, second: 0, gzip: false }],
  ])('reads %s', (key, expected) => {
    expect(parseSourceObjectName(key)).toEqual(expected);
  });

  it.each(['2019-06-01-15-17-4-events.csv', 'x2019-06-01-15-17-4-events.json', '2019-06-01-15-61-4-events.json', 'README.md', '2019-06-01-15-17-4-events.json.bak'])(
    'ignores %s',
    (key) => {
      expect(parseSourceObjectName(key)).toBeUndefined();
    },
  );
});

describe('hours', () => {
  it('parses --hour forms and rejects bad ones', () => {
    expect(parseHour('2019-06-01T15')).toEqual({ date: '2019-06-01', hour: '15', label: '2019-06-01T15' });
    expect(parseHour('2019-06-01T15:00:00Z')?.label).toBe('2019-06-01T15');
    expect(parseHour('2019-06-01 07')?.hour).toBe('07');
    for (const bad of ['2019-06-01', '2019-06-01T24', '2019-02-30T01', 'yesterday', '2019-06-01T15:30']) expect(parseHour(bad)).toBeUndefined();
  });

  it('reads the hour from the name only, and refuses impossible dates', () => {
    expect(parseSourceObjectName('a/2019-06-01-15-3-9-events.json')).toMatchObject({ date: '2019-06-01', hour: '15' });
    expect(parseSourceObjectName('2020-02-29-15-3-9-events.json')).toMatchObject({ date: '2020-02-29' });
    for (const bad of ['2019-02-29-15-0-0-events.json', '2019-02-30-15-0-0-events.json', '2019-13-01-15-0-0-events.json', '2019-04-31-15-0-0-events.json', '2019-00-10-15-0-0-events.json']) {
      expect(parseSourceObjectName(bad)).toBeUndefined();
    }
  });
});
