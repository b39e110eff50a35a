/**
 * The Avro block encoder reads a line's numbers and timestamps from its bytes; each reader must
 * give exactly what the text path gave: Number(text) and parseTimestamp(text).
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/events/timestamp.js';
import { CanonicalTimestamps, decimalSpanValue, longBytes, writeDouble, writeLong } from '../../src/formats/avro/avro-binary.js';

/** A small seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function digits(next: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(Math.floor(next() * 10));
  return out;
}

function spanValue(text: string): number {
  const buf = Buffer.from(`"${text}",`);
  return decimalSpanValue(buf, 1, buf.length - 2);
}

describe('decimalSpanValue', () => {
  it.each([
    '0', '-0', '-0.000', '0.0', '1', '-1', '52.55762', '-13.46649', '89.99999999999999', '90', '-180', '0.1', '0.2', '0.3',
    '123.456789012345', '999.999999999999', '1.000000000000001', '9007199254740993', '9007199254740992.5',
    '0.1000000000000000055511151231257827021181583404541015625',
    `0.${'0'.repeat(323)}5`, // 5e-324, the smallest subnormal
    `0.${'0'.repeat(323)}2`, // below half of it: 0
    `-0.${'0'.repeat(400)}1`, // -0
    `179769313486231570${'0'.repeat(291)}`, // the largest double
    `179769313486231581${'0'.repeat(291)}`, // Infinity
    // Not plain decimals (spans never hold these), still read as Number() reads them.
    '1e3', '5e-324', '-', '', '.5', '5.', '+1', '0x10', ' 1', '1_0', 'NaN', 'Infinity', '\u00a01',
  ])('reads %s as Number() does', (text) => {
    expect(Object.is(spanValue(text), Number(text))).toBe(true);
  });

  it('agrees with Number() on 200,000 random decimals of 1 to 20 digits', () => {
    const next = random(7);
    for (let i = 0; i < 200_000; i++) {
      const int = digits(next, 1 + Math.floor(next() * 3));
      const frac = digits(next, Math.floor(next() * 18));
      const text = `${next() < 0.5 ? '-' : ''}${int}${frac.length > 0 ? `.${frac}` : ''}`;
      const got = spanValue(text);
      if (!Object.is(got, Number(text))) expect(`${text} → ${got}`).toBe(`${text} → ${Number(text)}`);
    }
  });
});

describe('CanonicalTimestamps', () => {
  const read = (reader: CanonicalTimestamps, text: string): number | undefined => {
    const buf = Buffer.from(`ab${text}`);
    return reader.ms(buf, 2);
  };

  it.each([
    '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z',
    '2000-02-29T12:00:00.000Z', '2019-06-01T15:59:59.999Z', '1600-02-29T00:00:00.000Z', '0004-02-29T01:02:03.004Z',
  ])('reads %s as parseTimestamp does', (text) => {
    expect(read(new CanonicalTimestamps(), text)).toBe(parseTimestamp(text));
  });

  it.each([
    '1900-02-29T00:00:00.000Z', '2019-02-29T00:00:00.000Z', '2019-04-31T00:00:00.000Z', '2019-13-01T00:00:00.000Z',
    '2019-00-01T00:00:00.000Z', '2019-06-00T00:00:00.000Z', '2019-06-01T24:00:00.000Z', '2019-06-01T23:60:00.000Z',
    '2019-06-01T23:59:60.000Z', '2019-06-01t23:59:59.000Z', '2019-06-01T23:59:59,000Z', '2019-06-01T23:59:59.00aZ',
    '2019-06-01T23:59:59.000z', '2019/06/01T23:59:59.000Z', '20a9-06-01T23:59:59.000Z',
  ])('refuses %s, as the canonical shape does', (text) => {
    expect(read(new CanonicalTimestamps(), text)).toBeUndefined();
  });

  it('agrees with parseTimestamp on 100,000 random instants, dates changing or repeating', () => {
    const next = random(11);
    const reader = new CanonicalTimestamps();
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    let date = '2019-06-01';
    for (let i = 0; i < 100_000; i++) {
      if (next() < 0.2) date = `${pad(Math.floor(next() * 10_000), 4)}-${pad(Math.floor(next() * 14), 2)}-${pad(Math.floor(next() * 32), 2)}`;
      const time = `${pad(Math.floor(next() * 25), 2)}:${pad(Math.floor(next() * 61), 2)}:${pad(Math.floor(next() * 61), 2)}.${pad(Math.floor(next() * 1000), 3)}`;
      const text = `${date}T${time}Z`;
      expect(read(reader, text)).toBe(parseTimestamp(text));
    }
  });
});

describe('writeLong and writeDouble', () => {
  const LONG = avro.Type.forSchema('long');
  const DOUBLE = avro.Type.forSchema('double');

  it.each([0, 1, -1, 63, 64, -64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -62_135_596_800_000, 253_402_300_799_999, 2 ** 52 - 1, -(2 ** 52)])(
    'encodes the long %d as avsc does',
    (n) => {
      const buf = Buffer.alloc(12);
      const end = writeLong(buf, 1, n);
      expect(buf.subarray(1, end)).toEqual(LONG.toBuffer(n));
      expect(longBytes(n)).toBe(end - 1);
    },
  );

  it.each([0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 52.55762, Infinity, -Infinity, NaN])('encodes the double %d as avsc does', (d) => {
    const buf = Buffer.alloc(10);
    expect(writeDouble(buf, 1, d)).toBe(9);
    expect(buf.subarray(1, 9)).toEqual(DOUBLE.toBuffer(d));
  });
});
