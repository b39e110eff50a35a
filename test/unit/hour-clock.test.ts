import { describe, expect, it } from 'vitest';
import { addHours, hourEnd, hourLabelAt, hoursBetween, hourStart, validateTimezone } from '../../src/orchestration/schedule/hour-clock.js';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

describe('hourStart / hourEnd / hourLabelAt', () => {
  it('reads labels as UTC hours in UTC', () => {
    expect(iso(hourStart('2019-06-01T15', 'UTC'))).toBe('2019-06-01T15:00:00.000Z');
    expect(iso(hourEnd('2019-06-01T15', 'UTC'))).toBe('2019-06-01T16:00:00.000Z');
    expect(iso(hourEnd('2019-12-31T23', 'UTC'))).toBe('2020-01-01T00:00:00.000Z');
    expect(hourLabelAt(at('2019-06-01T15:59:59.999Z'), 'UTC')).toBe('2019-06-01T15');
    expect(hourLabelAt(at('2019-06-01T16:00:00.000Z'), 'UTC')).toBe('2019-06-01T16');
  });

  it('applies the Berlin offset in summer and in winter', () => {
    expect(iso(hourStart('2019-06-01T15', 'Europe/Berlin'))).toBe('2019-06-01T13:00:00.000Z');
    expect(iso(hourStart('2019-01-15T15', 'Europe/Berlin'))).toBe('2019-01-15T14:00:00.000Z');
    expect(hourLabelAt(at('2019-06-01T13:30:00Z'), 'Europe/Berlin')).toBe('2019-06-01T15');
    expect(hourLabelAt(at('2019-12-31T23:00:00Z'), 'Europe/Berlin')).toBe('2020-01-01T00');
  });

  it('starts a label skipped in spring at the instant the clock jumps, and gives it no length', () => {
    // Berlin 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(iso(hourStart('2024-03-31T01', 'Europe/Berlin'))).toBe('2024-03-31T00:00:00.000Z');
    expect(iso(hourEnd('2024-03-31T01', 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    expect(iso(hourStart('2024-03-31T02', 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    expect(iso(hourEnd('2024-03-31T02', 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    expect(iso(hourStart('2024-03-31T03', 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    expect(iso(hourEnd('2024-03-31T03', 'Europe/Berlin'))).toBe('2024-03-31T02:00:00.000Z');
    expect(hourLabelAt(at('2024-03-31T00:59:59Z'), 'Europe/Berlin')).toBe('2024-03-31T01');
    expect(hourLabelAt(at('2024-03-31T01:00:00Z'), 'Europe/Berlin')).toBe('2024-03-31T03');
  });

  it('starts a label repeated in autumn at its first occurrence and ends it with its second', () => {
    // Berlin 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02 happens twice.
    expect(iso(hourStart('2024-10-27T01', 'Europe/Berlin'))).toBe('2024-10-26T23:00:00.000Z');
    expect(iso(hourStart('2024-10-27T02', 'Europe/Berlin'))).toBe('2024-10-27T00:00:00.000Z');
    expect(iso(hourEnd('2024-10-27T02', 'Europe/Berlin'))).toBe('2024-10-27T02:00:00.000Z');
    expect(iso(hourStart('2024-10-27T03', 'Europe/Berlin'))).toBe('2024-10-27T02:00:00.000Z');
    expect(hourLabelAt(at('2024-10-27T00:30:00Z'), 'Europe/Berlin')).toBe('2024-10-27T02');
    expect(hourLabelAt(at('2024-10-27T01:30:00Z'), 'Europe/Berlin')).toBe('2024-10-27T02');
    expect(hourLabelAt(at('2024-10-27T02:00:00Z'), 'Europe/Berlin')).toBe('2024-10-27T03');
  });

  it('handles the half-hour offset of St Johns, including its transitions', () => {
    // NDT is UTC-2:30 in summer, NST UTC-3:30 in winter.
    expect(iso(hourStart('2024-06-01T12', 'America/St_Johns'))).toBe('2024-06-01T14:30:00.000Z');
    expect(iso(hourStart('2024-01-15T12', 'America/St_Johns'))).toBe('2024-01-15T15:30:00.000Z');
    expect(hourLabelAt(at('2024-06-01T14:29:59Z'), 'America/St_Johns')).toBe('2024-06-01T11');
    expect(hourLabelAt(at('2024-06-01T14:30:00Z'), 'America/St_Johns')).toBe('2024-06-01T12');
    // 2024-03-10 02:00 NST jumps to 03:00 NDT at 05:30Z.
    expect(iso(hourStart('2024-03-10T02', 'America/St_Johns'))).toBe('2024-03-10T05:30:00.000Z');
    expect(iso(hourEnd('2024-03-10T02', 'America/St_Johns'))).toBe('2024-03-10T05:30:00.000Z');
    // 2024-11-03 02:00 NDT goes back to 01:00 NST at 04:30Z, so 01 happens twice.
    expect(iso(hourStart('2024-11-03T01', 'America/St_Johns'))).toBe('2024-11-03T03:30:00.000Z');
    expect(iso(hourEnd('2024-11-03T01', 'America/St_Johns'))).toBe('2024-11-03T05:30:00.000Z');
  });

  it('starts a label half skipped (Lord Howe moves by 30 minutes) where the clock lands', () => {
    // 2024-10-06 02:00 LHST (+10:30) becomes 02:30 LHDT (+11) at 15:30Z the day before.
    expect(iso(hourStart('2024-10-06T02', 'Australia/Lord_Howe'))).toBe('2024-10-05T15:30:00.000Z');
    expect(iso(hourEnd('2024-10-06T02', 'Australia/Lord_Howe'))).toBe('2024-10-05T16:00:00.000Z');
    expect(hourLabelAt(at('2024-10-05T15:30:00Z'), 'Australia/Lord_Howe')).toBe('2024-10-06T02');
  });

  it('round-trips every hour of a year in Berlin', () => {
    for (const label of hoursBetween('2024-01-01T00', '2024-12-31T23')) {
      const start = hourStart(label, 'Europe/Berlin');
      if (start.getTime() < hourEnd(label, 'Europe/Berlin').getTime()) {
        expect(hourLabelAt(start, 'Europe/Berlin')).toBe(label);
      } else {
        expect(label).toBe('2024-03-31T02');
      }
    }
  });

  it('names a time zone it does not know in one sentence', () => {
    expect(() => hourStart('2019-06-01T15', 'Mars/Olympus')).toThrow(
      'timezone "Mars/Olympus" is not an IANA time zone name such as UTC or Europe/Berlin.',
    );
    expect(() => validateTimezone('Europe/Berlin')).not.toThrow();
    expect(() => validateTimezone('')).toThrow(/timezone "" is not/);
  });

  it('rejects what is not an hour label', () => {
    expect(() => hourStart('2019-06-01 15', 'UTC')).toThrow('"2019-06-01 15" is not an hour label like 2019-06-01T15.');
    expect(() => hourEnd('2019-02-30T00', 'UTC')).toThrow(/is not an hour label/);
  });
});

describe('addHours', () => {
  it('does calendar arithmetic on labels', () => {
    expect(addHours('2019-06-01T23', 1)).toBe('2019-06-02T00');
    expect(addHours('2019-12-31T22', 3)).toBe('2020-01-01T01');
    expect(addHours('2020-03-01T00', -1)).toBe('2020-02-29T23');
    expect(addHours('2019-06-01T15', 0)).toBe('2019-06-01T15');
    // No zone: a label skipped in Berlin is still a label.
    expect(addHours('2024-03-31T01', 1)).toBe('2024-03-31T02');
  });

  it('refuses fractions', () => {
    expect(() => addHours('2019-06-01T15', 0.5)).toThrow(RangeError);
  });
});

describe('hoursBetween', () => {
  it('lists both ends and everything between', () => {
    expect(hoursBetween('2019-06-01T22', '2019-06-02T01')).toEqual(['2019-06-01T22', '2019-06-01T23', '2019-06-02T00', '2019-06-02T01']);
    expect(hoursBetween('2019-06-01T15', '2019-06-01T15')).toEqual(['2019-06-01T15']);
  });

  it('refuses a range that runs backwards', () => {
    expect(() => hoursBetween('2019-06-02T00', '2019-06-01T00')).toThrow('hour range 2019-06-02T00..2019-06-01T00 ends before it starts.');
  });

  it('refuses a range longer than the maximum', () => {
    expect(hoursBetween('2019-01-01T00', addHours('2019-01-01T00', 9_999))).toHaveLength(10_000);
    expect(() => hoursBetween('2019-01-01T00', addHours('2019-01-01T00', 10_000))).toThrow(/spans 10001 hours, more than the 10000 allowed/);
    expect(() => hoursBetween('2019-06-01T00', '2019-06-01T05', 5)).toThrow(/spans 6 hours, more than the 5 allowed/);
  });
});
