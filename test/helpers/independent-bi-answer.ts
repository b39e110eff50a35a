/**
 * The BI answer (average and total distance per operating period) computed from the source's JSON
 * lines alone — plain TypeScript, no DuckDB, no project code — to hold the warehouse to. It says
 * what src/warehouse/models/ mean, organization-aware:
 *
 * - a location is a vehicle event's `data.location` with lat, lng and at all present; the same
 *   (organization, vehicle, at, lat, lng) seen twice is one location (fact_vehicle_location);
 * - a period is an (organization, id); its latest event orders by event time, then source object,
 *   then line, each newest first; it counts only if that event is a `create`, with that event's
 *   start and finish (dim_operating_period, bi_avg_distance);
 * - a vehicle is an (organization, id): it counts toward a period only of its own organization,
 *   when it has at least one location in [start, finish] (both ends included);
 * - its distance there: haversine, R = 6371.0088 km, between consecutive locations ordered by
 *   (at, lat, lng) (fact_period_vehicle_distance); one location is 0 km and still counts;
 * - per period: vehicles, their average km and total km; a period without vehicles has no row.
 *
 * Lines that are not JSON objects are skipped (the pipeline quarantines them).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IndependentAnswer {
  readonly organization_id: string;
  readonly period_id: string;
  readonly vehicles: number;
  readonly avg_km: number;
  readonly total_km: number;
}

/** One source object: its key (path under the source) and its text. */
export interface SourceObject {
  readonly key: string;
  readonly text: string;
}

export const EARTH_RADIUS_KM = 6371.0088;

interface Located {
  readonly at: number;
  readonly lat: number;
  readonly lng: number;
}

interface PeriodEvent {
  readonly event: string;
  readonly at: number;
  readonly key: string;
  readonly line: number;
  readonly start: number;
  readonly finish: number;
}

const radians = (degrees: number): number => (degrees * Math.PI) / 180;

export function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const h = Math.sin(radians(b.lat - a.lat) / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(radians(b.lng - a.lng) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The answer per (organization, period), sorted by organization then period id. */
export function independentAnswer(objects: readonly SourceObject[]): IndependentAnswer[] {
  const locations = new Map<string, Map<string, Located>>(); // org \u0000 vehicle -> distinct locations
  const periods = new Map<string, PeriodEvent[]>(); // org \u0000 period -> events
  for (const { key, text } of objects) {
    text.split('\n').forEach((raw, index) => {
      if (raw.trim() === '') return;
      const e = parse(raw);
      const data = e?.['data'] as Record<string, unknown> | undefined;
      const org = str(e?.['organization_id']);
      const id = str(data?.['id']);
      if (!e || !data || org === undefined || id === undefined) return;
      const owner = `${org}\u0000${id}`;
      if (e['on'] === 'vehicle') {
        const loc = data['location'] as Record<string, unknown> | null | undefined;
        const lat = num(loc?.['lat']);
        const lng = num(loc?.['lng']);
        const at = str(loc?.['at']);
        if (lat === undefined || lng === undefined || at === undefined) return;
        const point = { at: Date.parse(at), lat, lng };
        const seen = locations.get(owner) ?? new Map<string, Located>();
        seen.set(`${point.at} ${lat} ${lng}`, point);
        locations.set(owner, seen);
      } else if (e['on'] === 'operating_period') {
        const at = str(e['at']);
        if (at === undefined) return;
        const event = { event: String(e['event']), at: Date.parse(at), key, line: index + 1, start: Date.parse(str(data['start']) ?? ''), finish: Date.parse(str(data['finish']) ?? '') };
        periods.set(owner, [...(periods.get(owner) ?? []), event]);
      }
    });
  }

  const answer: IndependentAnswer[] = [];
  for (const [owner, events] of periods) {
    const latest = [...events].sort((a, b) => b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0) || b.line - a.line)[0] as PeriodEvent;
    if (latest.event !== 'create') continue;
    const [org, periodId] = owner.split('\u0000') as [string, string];
    const kms: number[] = [];
    for (const [vehicle, seen] of locations) {
      if (!vehicle.startsWith(`${org}\u0000`)) continue;
      const inside = [...seen.values()].filter((p) => p.at >= latest.start && p.at <= latest.finish).sort((a, b) => a.at - b.at || a.lat - b.lat || a.lng - b.lng);
      if (inside.length === 0) continue;
      let km = 0;
      for (let i = 1; i < inside.length; i++) km += haversineKm(inside[i - 1] as Located, inside[i] as Located);
      kms.push(km);
    }
    if (kms.length === 0) continue;
    const total = kms.reduce((s, k) => s + k, 0);
    answer.push({ organization_id: org, period_id: periodId, vehicles: kms.length, avg_km: total / kms.length, total_km: total });
  }
  return answer.sort((a, b) => (a.organization_id < b.organization_id ? -1 : a.organization_id > b.organization_id ? 1 : a.period_id < b.period_id ? -1 : a.period_id > b.period_id ? 1 : 0));
}

/** Reads every source object under `dir` (`.json`, `.txt`, gzipped or not) and answers from them. */
export async function independentAnswerFromFolder(dir: string): Promise<IndependentAnswer[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const objects = await Promise.all(
    files.map(async (file) => {
      const raw = await readFile(file);
      return { key: relative(dir, file), text: (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8') };
    }),
  );
  return independentAnswer(objects);
}
