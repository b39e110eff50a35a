import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/events/timestamp.js';

describe('parseTimestamp', () => {
  it('reads the canonical UTC form to epoch milliseconds', () => {
    expect(parseTimestamp('2019-06-01T18:23:57.196Z')).toBe(Date.UTC(2019, 5, 1, 18, 23, 57, 196));
  });

  it('applies offsets and accepts missing fractions', () => {
    expect(parseTimestamp('2019-06-01T20:23:57+02:00')).toBe(Date.UTC(2019, 5, 1, 18, 23, 57));
    expect(parseTimestamp('2019-06-01T18:23Z')).toBe(Date.UTC(2019, 5, 1, 18, 23));
    expect(parseTimestamp('2019-06-01T13:23:57.5-0500')).toBe(Date.UTC(2019, 5, 1, 18, 23, 57, 500));
  });

  it('truncates sub-millisecond digits', () => {
    expect(parseTimestamp('2019-06-01T18:23:57.196999Z')).toBe(Date.UTC(2019, 5, 1, 18, 23, 57, 196));
  });

  it.each([
    ['no zone', '2019-06-01T18:23:57.196'],
    ['calendar overflow', '2019-02-30T00:00:00.000Z'],
    ['hour 24', '2019-06-01T24:00:00.000Z'],
    ['prose', 'June 1 2019'],
    ['empty', ''],
    ['letters in digits', '2019-06-0xT18:23:57.196Z'],
  ])('rejects %s', (_name, text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('knows leap years', () => {
    expect(parseTimestamp('2020-02-29T00:00:00.000Z')).toBe(Date.UTC(2020, 1, 29));
    expect(parseTimestamp('2019-02-29T00:00:00.000Z')).toBeUndefined();
    expect(parseTimestamp('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toBeUndefined();
  });
});
