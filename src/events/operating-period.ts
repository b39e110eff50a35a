/** `on: "operating_period"`: a window in which the service operates, created or deleted. */
import type { Entity, EntityResult } from './entity.js';
import type { Envelope } from './envelope.js';
import { listChoices, optionalTimestamp } from './field-readers.js';

const EVENTS = ['create', 'delete'] as const;

export const operatingPeriod: Entity = {
  name: 'operating_period',
  columns: [
    { name: 'event', type: 'string', nullable: false },
    { name: 'event_at', type: 'timestamp', nullable: false },
    { name: 'organization_id', type: 'string', nullable: false },
    { name: 'period_id', type: 'string', nullable: false },
    { name: 'start_at', type: 'timestamp', nullable: true },
    { name: 'finish_at', type: 'timestamp', nullable: true },
  ],
  toRow(e: Envelope): EntityResult {
    if (e.event !== 'create' && e.event !== 'delete') {
      return { error: `operating_period event must be ${listChoices(EVENTS)}, got ${JSON.stringify(e.event)}` };
    }
    const start = optionalTimestamp(e.data['start'], 'data.start');
    if ('error' in start) return start;
    const finish = optionalTimestamp(e.data['finish'], 'data.finish');
    if ('error' in finish) return finish;
    if (e.event === 'create') {
      // A period that is created must say when it runs; a delete only needs the id.
      if (start.value === null) return { error: '"data.start" is required for a create event' };
      if (finish.value === null) return { error: '"data.finish" is required for a create event' };
      if (finish.value < start.value) return { error: '"data.finish" is before "data.start"' };
    }
    return { row: [e.event, e.at, e.organizationId, e.id, start.value, finish.value] };
  },
};
