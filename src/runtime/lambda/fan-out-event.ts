/** The event EventBridge Scheduler sends the function every hour: fan out an hour. */
import { addHours, hourLabelAt } from '../../orchestration/schedule/hour-clock.js';
import { parseHour, type Hour } from '../../pipeline/hour.js';

export interface FanOutEvent {
  readonly eventlake: 'fanout';
  /** `previous` (the hour before the scheduled time, or before now) or an hour label. */
  readonly hour: string;
  /**
   * When the schedule meant to run, as the scheduler fills `<aws.scheduler.scheduled-time>` in
   * (ISO 8601, e.g. `2026-11-25T10:10:00Z`): the same on every retry of one invocation, so
   * `previous` is the intended hour however late a retry arrives.
   */
  readonly scheduledTime?: string;
}

export function isFanOutEvent(event: unknown): event is FanOutEvent {
  return typeof event === 'object' && event !== null && (event as { eventlake?: unknown }).eventlake === 'fanout';
}

/** The scheduled time an event carries, or `now` when it carries none (an invocation by hand). */
function referenceTime(event: FanOutEvent, now: Date): Date {
  const given = event.scheduledTime;
  if (given === undefined || given === '') return now;
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(given) ? new Date(given) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new Error(`the fan-out event's scheduledTime ${JSON.stringify(given)} is not an ISO 8601 time like 2026-11-25T10:10:00Z`);
  }
  return time;
}

/**
 * The hour an event names; `previous` is the hour before the scheduled time (or `now` without
 * one) as the source's file names count hours (in `timezone`, the scheduler's own clock:
 * `source.timezone`).
 */
export function hourOfEvent(event: FanOutEvent, timezone: string, now = new Date()): Hour {
  if (event.hour === 'previous') return parseHour(addHours(hourLabelAt(referenceTime(event, now), timezone), -1)) as Hour;
  const hour = parseHour(event.hour);
  if (!hour) throw new Error(`the fan-out event's hour ${JSON.stringify(event.hour)} is not "previous" or YYYY-MM-DDTHH`);
  return hour;
}
