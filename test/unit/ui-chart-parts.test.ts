/** The web UI's chart parts (src/ui/charts/chart-parts.ts): an entity keeps its colour in every run's chart. */
import { describe, expect, it } from 'vitest';
import { COUNT_TICKS, entityColor } from '../../src/ui/charts/chart-parts.js';

describe('entity colours', () => {
  it('gives an entity the same colour whichever entities a run had and in whatever order', () => {
    const oneRun = ['vehicle', 'operating_period'].map(entityColor);
    const another = ['operating_period', 'vehicle'].map(entityColor);
    expect(oneRun).toEqual([another[1], another[0]]);
    expect(entityColor('vehicle')).not.toBe(entityColor('operating_period'));
    expect(entityColor('some_new_entity')).toBe(entityColor('some_new_entity'));
    expect(entityColor('some_new_entity')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('counts in whole numbers on a count axis', () => {
    expect(COUNT_TICKS.precision).toBe(0);
  });
});
