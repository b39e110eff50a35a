/** Source order without encoding: the same order as comparing the keys' UTF-8 bytes. */
import { describe, expect, it } from 'vitest';
import { compareKeys, inKeyOrder } from '../../src/pipeline/key-order.js';
import { seededRandom } from '../../src/generate/seeded-random.js';

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (n: number): number => Math.sign(n);

describe('compareKeys', () => {
  it('orders as UTF-8 bytes do where UTF-16 code units would not', () => {
    // U+1F600 (a surrogate pair in UTF-16, 0xF0… in UTF-8) sorts after U+E000 and U+FFFD (0xEE…, 0xEF…).
    const pairs: [string, string][] = [
      ['a😀', 'a\ue000'],
      ['😀', '\ufffd'],
      ['x/😀/1', 'x/\uffff/1'],
      ['😀a', '😁a'],
      ['2019-06-01-15-0-9-events.json', '2019-06-01-15-0-10-events.json'],
      ['a', 'ab'],
      ['', 'a'],
      ['é', 'z'],
      ['same', 'same'],
    ];
    for (const [a, b] of pairs) {
      expect(sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(sign(byBytes(a, b)));
      expect(sign(compareKeys(b, a)), `${b} vs ${a}`).toBe(sign(byBytes(b, a)));
    }
    expect(sign(compareKeys('a😀', 'a\ue000'))).toBe(1); // where code units alone say -1
  });

  it('agrees with the bytes on random keys mixing ASCII, BMP and astral characters', () => {
    const next = seededRandom(7);
    const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
    const alphabet = ['a', 'b', '-', '/', '0', 'é', 'ß', '\u4e2d', '\ue000', '\uffee', '😀', '𝄞', '\ud83d'];
    const key = (): string => Array.from({ length: int(0, 6) }, () => alphabet[int(0, alphabet.length - 1)]).join('');
    for (let i = 0; i < 5_000; i++) {
      const a = key();
      const b = int(0, 3) === 0 ? a + key() : key();
      expect(sign(compareKeys(a, b)), JSON.stringify([a, b])).toBe(sign(byBytes(a, b)));
    }
  });
});

describe('inKeyOrder', () => {
  it('sorts items by their keys in byte order and leaves the input alone', () => {
    const items = [{ key: 'b' }, { key: 'a😀' }, { key: 'a\ue000' }, { key: 'a' }];
    const sorted = inKeyOrder(items, (i) => i.key);
    expect(sorted.map((i) => i.key)).toEqual(['a', 'a\ue000', 'a😀', 'b']);
    expect(items.map((i) => i.key)).toEqual(['b', 'a😀', 'a\ue000', 'a']);
  });
});
