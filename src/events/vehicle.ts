/** `on: "vehicle"`: a shuttle registering, reporting its location, deregistering. */
import type { Entity, EntityResult } from './entity.js';
import type { Envelope } from './envelope.js';
import { describeType } from './envelope.js';
import { listChoices, optionalNumber, optionalTimestamp } from './field-readers.js';
import { scanVehicleLine } from './vehicle-line-scanner.js';

const EVENTS = ['register', 'update', 'deregister'] as const;

export const vehicle: Entity = {
  name: 'vehicle',
  columns: [
    { name: 'event', type: 'string', nullable: false },
    { name: 'event_at', type: 'timestamp', nullable: false },
    { name: 'organization_id', type: 'string', nullable: false },
    { name: 'vehicle_id', type: 'string', nullable: false },
    { name: 'lat', type: 'double', nullable: true },
    { name: 'lng', type: 'double', nullable: true },
    { name: 'location_at', type: 'timestamp', nullable: true },
  ],
  toRow(e: Envelope): EntityResult {
    if (e.event !== 'update' && e.event !== 'register' && e.event !== 'deregister') {
      return { error: `vehicle event must be ${listChoices(EVENTS)}, got ${JSON.stringify(e.event)}` };
    }
    const location = e.data['location'];
    if (location === undefined || location === null) {
      return { row: [e.event, e.at, e.organizationId, e.id, null, null, null] };
    }
    if (typeof location !== 'object' || Array.isArray(location)) {
      return { error: `"data.location" must be an object or null, got ${describeType(location)}` };
    }
    const loc = location as Record<string, unknown>;
    const lat = optionalNumber(loc['lat'], 'data.location.lat', -90, 90);
    if ('error' in lat) return lat;
    const lng = optionalNumber(loc['lng'], 'data.location.lng', -180, 180);
    if ('error' in lng) return lng;
    const at = optionalTimestamp(loc['at'], 'data.location.at');
    if ('error' in at) return at;
    return { row: [e.event, e.at, e.organizationId, e.id, lat.value, lng.value, at.value] };
  },
  scanLine: scanVehicleLine,
};
