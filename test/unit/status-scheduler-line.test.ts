/** `eventlake status` in text: the scheduler's line says how far its loop has got, so a stalled one shows. */
import { describe, expect, it } from 'vitest';
import { ago, describeScheduler } from '../../src/cli/status-command.js';

const NOW = Date.parse('2024-05-01T10:30:00.000Z');
const before = (ms: number): string => new Date(NOW - ms).toISOString();

describe('the scheduler line of eventlake status', () => {
  it('names the process, when it started, its ticks, how long ago the last one was and its late-data checks', () => {
    const presence = { owner: 'host-a:4242:99', lake: '/lake', source: '/source', since: before(60_000), ticks: 123, lastTickAt: before(400), lateChecks: 4 };
    expect(describeScheduler(presence, NOW)).toBe(
      'scheduler: running as process 4242 since 2024-05-01T10:29:00.000Z (lake /lake), 123 ticks, last 0.4 s ago, 4 late-data checks',
    );
  });

  it('says when it has not ticked yet, in the singular for one', () => {
    expect(describeScheduler({ owner: 'host-a:7:1', lake: '/l', source: '/s', since: before(0), ticks: 0, lateChecks: 0 }, NOW)).toBe(
      'scheduler: running as process 7 since 2024-05-01T10:30:00.000Z (lake /l), 0 ticks, none yet, 0 late-data checks',
    );
    expect(describeScheduler({ owner: 'host-a:7:1', lake: '/l', source: '/s', since: before(0), ticks: 1, lastTickAt: before(0), lateChecks: 1 }, NOW)).toMatch(
      /, 1 tick, last 0\.0 s ago, 1 late-data check$/,
    );
  });

  it('reads ages the way a person does', () => {
    expect([400, 9_940, 12_000, 119_000, 180_000, 7_199_000, 3 * 3_600_000].map((ms) => ago(before(ms), NOW))).toEqual([
      '0.4 s',
      '9.9 s',
      '12 s',
      '119 s',
      '3 min',
      '120 min',
      '3 h',
    ]);
    // A clock a little behind another host's: never a negative age.
    expect(ago(before(-500), NOW)).toBe('0.0 s');
  });
});
