/** The event EventBridge Scheduler sends the function every hour: fan out an hour. */
import { hourOf, parseHour, type Hour } from '../../pipeline/hour.js';

export interface FanOutEvent {
  readonly eventlake: 'fanout';
  /** `previous` (the hour before the current one, UTC) or an hour label. */
  readonly hour: string;
}

export function isFanOutEvent(event: unknown): event is FanOutEvent {
  return typeof event === 'object' && event !== null && (event as { eventlake?: unknown }).eventlake === 'fanout';
}

/** The hour an event names; `previous` is read against `now`. */
export function hourOfEvent(event: FanOutEvent, now = new Date()): Hour {
  if (event.hour === 'previous') return hourOf(new Date(now.getTime() - 3_600_000));
  const hour = parseHour(event.hour);
  if (!hour) throw new Error(`the fan-out event's hour ${JSON.stringify(event.hour)} is not "previous" or YYYY-MM-DDTHH`);
  return hour;
}
