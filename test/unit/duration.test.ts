import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h20m', 4_800_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    [' 45s ', 45_000],
    ['90', 90_000],
    ['0s', 0],
  ])('reads %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads numbers as seconds', () => {
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration(0.25)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it.each(['', '   ', '-5s', '10 minutes', '1.5.3m', 'm', '5x', '20m1h', '1h1h', 'ms', '1e3s'])(
    'refuses %j, saying what a duration looks like',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/expected a duration such as 500ms, 30s, 10m, 1h20m or 2d/);
      expect(() => parseDuration(text)).toThrow(JSON.stringify(text));
    },
  );

  it('refuses negative and non-finite numbers', () => {
    for (const n of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => parseDuration(n)).toThrow(/expected a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [4_800_000, '1h20m'],
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1s500ms'],
    [172_800_000, '2d'],
    [600_000, '10m'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('writes what parseDuration reads back', () => {
    for (const ms of [1, 999, 60_001, 3_600_000, 93_784_005]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
