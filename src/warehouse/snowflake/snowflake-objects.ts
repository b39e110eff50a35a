/**
 * The objects of the schema the DDL creates and other commands name (the hour refresh, the
 * docs): here, so naming them loads neither the DDL nor the model compiler.
 */
import type { Entity } from '../../events/entity.js';
import { operatingPeriod } from '../../events/operating-period.js';
import { vehicle } from '../../events/vehicle.js';

/** Each entity's external table over its lake folder (its internal table bears the entity's name). */
export const EXTERNAL_TABLES: readonly { readonly entity: Entity; readonly table: string }[] = [
  { entity: vehicle, table: 'lake_vehicle' },
  { entity: operatingPeriod, table: 'lake_operating_period' },
];

/** The stored procedure that loads the hours whose files changed. */
export const LOAD_PROCEDURE = 'load_lake_hours';
/** The task that runs the load hourly; runs of it never overlap. */
export const LOAD_TASK = 'load_lake_hourly';
