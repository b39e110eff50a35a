/**
 * Source order: object keys by the bytes of their UTF-8, as S3 lists them. Compared without
 * encoding: UTF-16 code units sort as UTF-8 bytes do everywhere except where a surrogate
 * (a character past U+FFFF) meets a character from U+E000 up, which is rare enough to encode.
 * Encoding every key of the hour to sort them was a measurable part of the plan.
 */
const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) || isSurrogate(y)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
    return x - y;
  }
  return a.length - b.length;
}

/** `items` in source order of their keys (already in order, as a listing is: one pass). */
export function inKeyOrder<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
}
