/** Chart.js with only the parts the pages draw: line charts (timeline) and bar charts (BI answer). */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export { Chart };

/** Series colors, distinct on white and readable for most color vision. */
export const SERIES_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] as string;
}

/** Colours of the entities the feed knows, so each keeps its colour in every run's chart. */
const ENTITY_COLORS: Readonly<Record<string, string>> = { vehicle: '#2563eb', operating_period: '#d97706' };

/**
 * An entity's colour, the same in every chart whatever entities a run had and in whatever order:
 * a known entity's own, any other's picked by its name (never by its position in a list).
 */
export function entityColor(entity: string): string {
  const known = ENTITY_COLORS[entity];
  if (known) return known;
  let hash = 0;
  for (const ch of entity) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return seriesColor(hash);
}

/** Ticks of an axis that counts things (events, rows): whole numbers only, never 0.5 events. */
export const COUNT_TICKS = { precision: 0 } as const;
