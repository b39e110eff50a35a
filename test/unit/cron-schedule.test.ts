import { describe, expect, it } from 'vitest';
import { dueRuns, hourForFire, hoursOfFire, nextFire, validateCron } from '../../src/orchestration/schedule/cron-schedule.js';
import { hoursBetween } from '../../src/orchestration/schedule/hour-clock.js';

const at = (iso: string): Date => new Date(iso);
const MIN = 60_000;

/** The runs as `fireAt → hour` strings, easy to read in a failure. */
function runs(query: Parameters<typeof dueRuns>[0]): string[] {
  return dueRuns(query).map((r) => `${r.fireAt.toISOString()} ${r.hour}`);
}

describe('validateCron', () => {
  it('accepts five fields and the hourly-or-coarser aliases', () => {
    for (const expr of ['0 * * * *', '15 * * * *', '0 */2 * * *', '5 3 * * MON-FRI', ' 0 * * * * ', '@hourly', '@daily', '@Weekly', '@yearly', '0 0 1 1 *', '0 0 29 * *']) {
      expect(() => validateCron(expr), expr).not.toThrow();
    }
  });

  it.each([
    ['61 * * * *', 'schedule.cron "61 * * * *" is not a cron expression: got value 61 expected range 0-59.'],
    ['nope', 'schedule.cron "nope" is not a cron expression: it has 1 field, five are needed (minute hour day-of-month month day-of-week).'],
    ['* * * *', 'schedule.cron "* * * *" is not a cron expression: it has 4 fields, five are needed (minute hour day-of-month month day-of-week).'],
    ['0 0 * * * *', 'schedule.cron "0 0 * * * *" is not a cron expression: it has 6 fields, five are needed (minute hour day-of-month month day-of-week).'],
    ['', 'schedule.cron "" is not a cron expression: it has 0 fields, five are needed (minute hour day-of-month month day-of-week).'],
    ['0 0 31 2 *', 'schedule.cron "0 0 31 2 *" is not a cron expression: invalid explicit day of month definition.'],
    ['H * * * *', 'schedule.cron "H * * * *" is not a cron expression: hashed fields (H) are not supported.'],
    ['0 0 29 2 *', 'schedule.cron "0 0 29 2 *" is not a cron expression: it fires less than once a year (29 February only), which schedules almost nothing.'],
  ])('rejects %j in one sentence', (expr, message) => {
    expect(() => validateCron(expr)).toThrow(message);
  });

  it('rejects aliases finer than an hour and unknown ones', () => {
    expect(() => validateCron('@minutely')).toThrow(/^schedule.cron "@minutely" is not a cron expression: the aliases are @hourly, @daily/);
    expect(() => validateCron('@often')).toThrow(/is not a cron expression/);
  });

  it('rejects an unknown time zone when the schedule is evaluated', () => {
    expect(() => dueRuns({ cron: '0 * * * *', timezone: 'Europe/Atlantis', delayMs: 0, after: undefined, until: at('2019-06-01T15:00Z') })).toThrow(
      'timezone "Europe/Atlantis" is not an IANA time zone name such as UTC or Europe/Berlin.',
    );
  });
});

describe('hourForFire', () => {
  it('is the latest hour that had ended at the fire', () => {
    expect(hourForFire(at('2019-06-01T15:00Z'), 'UTC')).toBe('2019-06-01T14');
    expect(hourForFire(at('2019-06-01T15:15Z'), 'UTC')).toBe('2019-06-01T14');
    expect(hourForFire(at('2019-06-01T15:59:59.999Z'), 'UTC')).toBe('2019-06-01T14');
    expect(hourForFire(at('2019-06-01T00:00Z'), 'UTC')).toBe('2019-05-31T23');
    expect(hourForFire(at('2019-06-01T13:00Z'), 'Europe/Berlin')).toBe('2019-06-01T14');
  });
});

describe('dueRuns in UTC', () => {
  const hourly = { cron: '0 * * * *', timezone: 'UTC', delayMs: 10 * MIN } as const;

  it('waits for the delay after the fire', () => {
    expect(runs({ ...hourly, after: at('2019-06-01T14:00Z'), until: at('2019-06-01T15:09:59.999Z') })).toEqual([]);
    expect(runs({ ...hourly, after: at('2019-06-01T14:00Z'), until: at('2019-06-01T15:10Z') })).toEqual(['2019-06-01T15:00:00.000Z 2019-06-01T14']);
  });

  it('counts a fire only after `after`', () => {
    expect(runs({ ...hourly, after: at('2019-06-01T15:00Z'), until: at('2019-06-01T16:09Z') })).toEqual([]);
    expect(runs({ ...hourly, after: at('2019-06-01T14:59:59.999Z'), until: at('2019-06-01T15:10Z') })).toEqual(['2019-06-01T15:00:00.000Z 2019-06-01T14']);
  });

  it('with no `after`, gives only the most recent due fire', () => {
    expect(runs({ ...hourly, after: undefined, until: at('2019-06-01T15:30Z') })).toEqual(['2019-06-01T15:00:00.000Z 2019-06-01T14']);
    expect(runs({ ...hourly, after: undefined, until: at('2019-06-01T15:05Z') })).toEqual(['2019-06-01T14:00:00.000Z 2019-06-01T13']);
    expect(runs({ ...hourly, after: undefined, until: at('2019-06-01T15:10Z') })).toEqual(['2019-06-01T15:00:00.000Z 2019-06-01T14']);
  });

  it('runs the previous hour from a fire at a quarter past', () => {
    expect(runs({ cron: '15 * * * *', timezone: 'UTC', delayMs: 0, after: at('2019-06-01T14:15Z'), until: at('2019-06-01T16:20Z') })).toEqual([
      '2019-06-01T15:15:00.000Z 2019-06-01T14',
      '2019-06-01T16:15:00.000Z 2019-06-01T15',
    ]);
  });

  it('runs one hour per fire of an every-two-hours cron', () => {
    expect(runs({ cron: '0 */2 * * *', timezone: 'UTC', delayMs: 0, after: at('2019-06-01T00:00Z'), until: at('2019-06-01T08:00Z') })).toEqual([
      '2019-06-01T02:00:00.000Z 2019-06-01T01',
      '2019-06-01T04:00:00.000Z 2019-06-01T03',
      '2019-06-01T06:00:00.000Z 2019-06-01T05',
      '2019-06-01T08:00:00.000Z 2019-06-01T07',
    ]);
  });

  it('catches up a whole day in order', () => {
    const due = dueRuns({ ...hourly, after: at('2019-06-01T00:00Z'), until: at('2019-06-02T00:10Z') });
    expect(due).toHaveLength(24);
    expect(due.map((r) => r.hour)).toEqual(hoursBetween('2019-06-01T00', '2019-06-01T23'));
    expect(due[0]?.fireAt.toISOString()).toBe('2019-06-01T01:00:00.000Z');
    expect(due[23]?.fireAt.toISOString()).toBe('2019-06-02T00:00:00.000Z');
  });

  it('keeps the oldest `limit` runs so the catchup continues in order', () => {
    const query = { ...hourly, after: at('2019-06-01T00:00Z'), until: at('2019-06-02T00:10Z') };
    expect(dueRuns({ ...query, limit: 3 }).map((r) => r.hour)).toEqual(['2019-06-01T00', '2019-06-01T01', '2019-06-01T02']);
    expect(dueRuns({ ...query, limit: 0 })).toEqual([]);
    expect(dueRuns({ ...query, after: undefined, limit: 3 }).map((r) => r.hour)).toEqual(['2019-06-01T23']);
    expect(() => dueRuns({ ...query, limit: -1 })).toThrow(RangeError);
  });
});

describe('dueRuns across DST in Europe/Berlin', () => {
  const hourly = { cron: '0 * * * *', timezone: 'Europe/Berlin', delayMs: 0 } as const;

  it('fires in local time', () => {
    expect(runs({ ...hourly, after: at('2019-06-01T12:00Z'), until: at('2019-06-01T13:00Z') })).toEqual(['2019-06-01T13:00:00.000Z 2019-06-01T14']);
    expect(runs({ cron: '0 3 * * *', timezone: 'Europe/Berlin', delayMs: 0, after: undefined, until: at('2019-06-02T00:00Z') })).toEqual([
      '2019-06-01T01:00:00.000Z 2019-06-01T02',
    ]);
  });

  it('never names the hour skipped in spring', () => {
    // 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(runs({ ...hourly, after: at('2024-03-30T23:00Z'), until: at('2024-03-31T03:00Z') })).toEqual([
      '2024-03-31T00:00:00.000Z 2024-03-31T00',
      '2024-03-31T01:00:00.000Z 2024-03-31T01',
      '2024-03-31T02:00:00.000Z 2024-03-31T03',
      '2024-03-31T03:00:00.000Z 2024-03-31T04',
    ]);
  });

  it('names the hour before the repeated one twice in autumn, since 02 ends only with its second occurrence', () => {
    // 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00Z.
    expect(runs({ ...hourly, after: at('2024-10-26T23:00Z'), until: at('2024-10-27T03:00Z') })).toEqual([
      '2024-10-27T00:00:00.000Z 2024-10-27T01',
      '2024-10-27T01:00:00.000Z 2024-10-27T01',
      '2024-10-27T02:00:00.000Z 2024-10-27T02',
      '2024-10-27T03:00:00.000Z 2024-10-27T03',
    ]);
  });

  it('catches up a day with 23 hours and one with 25', () => {
    const spring = dueRuns({ ...hourly, after: at('2024-03-30T23:00Z'), until: at('2024-03-31T22:00Z') });
    expect(spring).toHaveLength(23);
    expect(spring.map((r) => r.hour)).toEqual(hoursBetween('2024-03-31T00', '2024-03-31T23').filter((h) => h !== '2024-03-31T02'));
    const autumn = dueRuns({ ...hourly, after: at('2024-10-26T22:00Z'), until: at('2024-10-27T23:00Z') });
    expect(autumn).toHaveLength(25);
    expect(new Set(autumn.map((r) => r.hour))).toEqual(new Set(hoursBetween('2024-10-27T00', '2024-10-27T23')));
  });
});

describe('dueRuns in America/St_Johns', () => {
  it('fires on the local hour, half past in UTC', () => {
    expect(runs({ cron: '0 * * * *', timezone: 'America/St_Johns', delayMs: 10 * MIN, after: at('2024-06-01T12:00Z'), until: at('2024-06-01T13:45Z') })).toEqual([
      '2024-06-01T12:30:00.000Z 2024-06-01T09',
      '2024-06-01T13:30:00.000Z 2024-06-01T10',
    ]);
  });
});

describe('nextFire', () => {
  it('is the first fire strictly after', () => {
    expect(nextFire({ cron: '15 * * * *', timezone: 'UTC', after: at('2019-06-01T15:15Z') }).toISOString()).toBe('2019-06-01T16:15:00.000Z');
    expect(nextFire({ cron: '15 * * * *', timezone: 'UTC', after: at('2019-06-01T15:14:59.999Z') }).toISOString()).toBe('2019-06-01T15:15:00.000Z');
    expect(nextFire({ cron: '0 0 * * *', timezone: 'Europe/Berlin', after: at('2019-06-01T12:00Z') }).toISOString()).toBe('2019-06-01T22:00:00.000Z');
  });
});

describe('hoursOfFire', () => {
  const at = (iso: string): Date => new Date(iso);
  it('is the fire\'s own hour for an hourly schedule, whatever its minute', () => {
    expect(hoursOfFire({ cron: '0 * * * *', timezone: 'UTC', fireAt: at('2019-06-01T15:00:00Z') })).toEqual(['2019-06-01T14']);
    expect(hoursOfFire({ cron: '15 * * * *', timezone: 'UTC', fireAt: at('2019-06-01T15:15:00Z') })).toEqual(['2019-06-01T14']);
  });

  it('covers every hour since the previous fire for a coarser schedule, so no hour is left out', () => {
    expect(hoursOfFire({ cron: '0 */2 * * *', timezone: 'UTC', fireAt: at('2019-06-01T16:00:00Z') })).toEqual(['2019-06-01T14', '2019-06-01T15']);
    const daily = hoursOfFire({ cron: '@daily', timezone: 'UTC', fireAt: at('2019-06-02T00:00:00Z') });
    expect(daily).toHaveLength(24);
    expect([daily[0], daily[23]]).toEqual(['2019-06-01T00', '2019-06-01T23']);
  });

  it('reads the hours in the source time zone', () => {
    expect(hoursOfFire({ cron: '0 */2 * * *', timezone: 'Europe/Berlin', fireAt: at('2019-06-01T14:00:00Z') })).toEqual(['2019-06-01T14', '2019-06-01T15']);
  });
});
