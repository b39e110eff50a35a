/** The event EventBridge Scheduler sends the function every hour: fan out an hour. */
import { addHours, hourLabelAt } from '../../orchestration/schedule/hour-clock.js';
import { parseHour, type Hour } from '../../pipeline/hour.js';

export interface FanOutEvent {
  readonly eventlake: 'fanout';
  /** `previous` (the hour before the current one, UTC) or an hour label. */
  readonly hour: string;
}

export function isFanOutEvent(event: unknown): event is FanOutEvent {
  return typeof event === 'object' && event !== null && (event as { eventlake?: unknown }).eventlake === 'fanout';
}

/**
 * The hour an event names; `previous` is the hour before `now` as the source's file names count
 * hours (in `timezone`, the scheduler's own clock: `source.timezone`).
 */
export function hourOfEvent(event: FanOutEvent, timezone: string, now = new Date()): Hour {
  if (event.hour === 'previous') return parseHour(addHours(hourLabelAt(now, timezone), -1)) as Hour;
  const hour = parseHour(event.hour);
  if (!hour) throw new Error(`the fan-out event's hour ${JSON.stringify(event.hour)} is not "previous" or YYYY-MM-DDTHH`);
  return hour;
}
