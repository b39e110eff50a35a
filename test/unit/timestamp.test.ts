import { describe, expect, it } from 'vitest';
import { FIRST_STORABLE_MS, isStorableTimestamp, LAST_STORABLE_MS, parseTimestamp } from '../../src/events/timestamp.js';

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

describe('parseTimestamp across the whole calendar', () => {
  // Date.parse reads four-digit years exactly (Date.UTC maps 0–99 to 1900–1999): the oracle.
  it.each([
    ['0001-01-01T00:00:00.000Z', -62_135_596_800_000],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
    ['0004-02-29T12:00:00.000Z', Date.parse('0004-02-29T12:00:00.000Z')],
    ['0050-03-01T12:34:56.789Z', Date.parse('0050-03-01T12:34:56.789Z')],
    ['0099-12-31T23:59:59.999Z', -59_011_459_200_001],
    ['0099-12-31T23:59:59.999+00:00', -59_011_459_200_001],
    ['0100-01-01T00:00:00.000Z', Date.parse('0100-01-01T00:00:00.000Z')],
    ['1969-12-31T23:59:59.999Z', -1],
    ['1970-01-01T00:00:00.000Z', 0],
    ['9999-12-31T23:59:59.999Z', 253_402_300_799_999],
  ])('reads %s exactly', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it('applies offsets across year boundaries, also out of the storable years', () => {
    expect(parseTimestamp('0100-01-01T00:30:00+01:00')).toBe(Date.parse('0099-12-31T23:30:00.000Z'));
    expect(parseTimestamp('0099-12-31T23:30:00-01:00')).toBe(Date.parse('0100-01-01T00:30:00.000Z'));
    expect(parseTimestamp('0000-12-31T23:30:00-01:00')).toBe(Date.parse('0001-01-01T00:30:00.000Z'));
    expect(parseTimestamp('0001-01-01T00:30:00+01:00')).toBe(Date.parse('0000-12-31T23:30:00.000Z'));
    expect(parseTimestamp('9999-12-31T23:30:00-01:00')).toBe(Date.parse('+010000-01-01T00:30:00.000Z'));
  });

  it('truncates sub-millisecond digits toward the earlier instant, before 1970 too', () => {
    expect(parseTimestamp('1969-12-31T23:59:59.9999999Z')).toBe(-1);
    expect(parseTimestamp('0001-01-01T00:00:00.0009Z')).toBe(-62_135_596_800_000);
    expect(parseTimestamp('0050-03-01T12:34:56,789999Z')).toBe(Date.parse('0050-03-01T12:34:56.789Z'));
  });

  it('knows leap years in the first centuries', () => {
    expect(parseTimestamp('0000-02-29T00:00:00Z')).toBe(Date.parse('0000-02-29T00:00:00.000Z'));
    expect(parseTimestamp('0004-02-29T00:00:00.000Z')).toBe(Date.parse('0004-02-29T00:00:00.000Z'));
    expect(parseTimestamp('0100-02-29T00:00:00.000Z')).toBeUndefined();
    expect(parseTimestamp('0001-02-29T00:00:00Z')).toBeUndefined();
  });

  it('agrees with Date.parse on every shape it accepts, for years 0000–9999', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pad = (v: number, width: number): string => String(v).padStart(width, '0');
    for (let i = 0; i < 20_000; i++) {
      const year = next(10_000);
      const month = 1 + next(12);
      const day = 1 + next(28);
      const time = `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}.${pad(next(1000), 3)}`;
      const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
      const offset = next(3) === 0 ? 'Z' : `${next(2) === 0 ? '+' : '-'}${pad(next(24), 2)}:${pad(next(60), 2)}`;
      const text = `${date}T${time}${offset}`;
      expect(parseTimestamp(text), text).toBe(Date.parse(text));
    }
  });
});

describe('isStorableTimestamp', () => {
  it('holds years 0001–9999 in UTC and nothing else', () => {
    expect(isStorableTimestamp(FIRST_STORABLE_MS)).toBe(true);
    expect(isStorableTimestamp(LAST_STORABLE_MS)).toBe(true);
    expect(isStorableTimestamp(FIRST_STORABLE_MS - 1)).toBe(false);
    expect(isStorableTimestamp(LAST_STORABLE_MS + 1)).toBe(false);
    expect(new Date(FIRST_STORABLE_MS).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(LAST_STORABLE_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});
