/**
 * Entities keyed by the envelope's `on`. Adding an entity means writing its module and
 * listing it here; the pipeline, formats and lake layout follow from its columns.
 */
import type { Entity } from './entity.js';
import { operatingPeriod } from './operating-period.js';
import { vehicle } from './vehicle.js';

export class EntityRegistry {
  private readonly byName = new Map<string, Entity>();

  constructor(entities: readonly Entity[]) {
    for (const entity of entities) {
      if (this.byName.has(entity.name)) throw new Error(`entity "${entity.name}" is registered twice`);
      this.byName.set(entity.name, entity);
    }
  }

  get(name: string): Entity | undefined {
    return this.byName.get(name);
  }

  get entities(): Entity[] {
    return [...this.byName.values()];
  }
}

export const defaultEntities: readonly Entity[] = [vehicle, operatingPeriod];

export function defaultRegistry(): EntityRegistry {
  return new EntityRegistry(defaultEntities);
}
