import { describe, expect, it } from 'vitest';
import { hoursOfFire } from '../../src/orchestration/schedule/cron-schedule.js';
import { checkRunnableHour, isSkippedHour, runnableHoursBetween } from '../../src/orchestration/schedule/runnable-hours.js';

const BERLIN = 'Europe/Berlin';
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('runnable hours', () => {
  it('walks a backfill over the spring-forward night as instants: the skipped 02 is left out, autumn 02 is one label', () => {
    expect(isSkippedHour('2019-03-31T02', BERLIN)).toBe(true);
    expect(isSkippedHour('2019-03-31T02', 'UTC')).toBe(false);
    expect(runnableHoursBetween('2019-03-31T00', '2019-03-31T04', BERLIN)).toEqual(['2019-03-31T00', '2019-03-31T01', '2019-03-31T03', '2019-03-31T04']);
    expect(runnableHoursBetween('2019-10-27T01', '2019-10-27T03', BERLIN)).toEqual(['2019-10-27T01', '2019-10-27T02', '2019-10-27T03']);
    expect(runnableHoursBetween('2019-03-31T00', '2019-03-31T04', 'UTC')).toHaveLength(5);
  });

  it('refuses the skipped hour asked for by name, in one sentence', () => {
    expect(message(() => checkRunnableHour('2019-03-31T02', BERLIN))).toBe(
      'hour 2019-03-31T02 does not exist in Europe/Berlin: the clocks skipped it, so no file can belong to it',
    );
  });

  it("refuses an hour that has not begun in the source's zone, and takes the one that has", () => {
    // 13:30 UTC is 15:30 in Berlin (summer): local 15 has begun, local 16 has not, though 16:00 UTC is far off too.
    const now = new Date('2019-06-01T13:30:00Z');
    expect(() => checkRunnableHour('2019-06-01T15', BERLIN, now)).not.toThrow();
    expect(message(() => checkRunnableHour('2019-06-01T16', BERLIN, now))).toBe('hour 2019-06-01T16 (Europe/Berlin) has not begun: no file of it can have arrived');
    expect(message(() => checkRunnableHour('2019-06-01T14', 'UTC', now))).toBe('hour 2019-06-01T14 (UTC) has not begun: no file of it can have arrived');
    // A range reaching past now is refused whole.
    expect(message(() => runnableHoursBetween('2019-06-01T10', '2019-06-01T16', BERLIN, now))).toMatch(/^hour 2019-06-01T16 \(Europe\/Berlin\) has not begun/);
  });

  it("a daily schedule's catchup over the spring-forward night runs 23 hours, not the skipped one", () => {
    const hours = hoursOfFire({ cron: '0 0 * * *', timezone: BERLIN, fireAt: new Date('2019-03-31T22:00:00Z') });
    expect(hours).toHaveLength(23);
    expect(hours).not.toContain('2019-03-31T02');
    expect(hours[0]).toBe('2019-03-31T00');
    expect(hours.at(-1)).toBe('2019-03-31T23');
  });
});
