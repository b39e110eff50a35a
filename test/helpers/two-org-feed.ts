/**
 * A small hand-made feed of two organizations that reuse the same vehicle ids and period ids:
 * per hour, four vehicles per organization reporting every minute (one location reported late,
 * in the hour before), an operating period `op_1` created again every hour in each organization
 * (the latest create wins), `op_<HH>` spanning into the next hour, and one deleted period.
 * `variant` 1 moves every point, takes the late location two hours back, drops org-b's v3 and
 * the deleted period: a rerun of the hour in it changes, adds and removes rows.
 */
export interface FeedEvent {
  readonly event: string;
  readonly on: 'vehicle' | 'operating_period';
  readonly at: string;
  readonly organization_id: string;
  readonly data: Record<string, unknown>;
}

export const ORGANIZATIONS = ['org-a', 'org-b'] as const;

export function hourFeed(hour: string, variant = 0): FeedEvent[] {
  const base = Date.parse(`${hour}:00:00Z`);
  const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
  const hh = hour.slice(11, 13);
  const events: FeedEvent[] = [];
  for (const [o, org] of ORGANIZATIONS.entries()) {
    const period = (event: string, id: string, second: number, start: number, finish: number): void => {
      events.push({ event, on: 'operating_period', at: at(second), organization_id: org, data: { id, start: at(start), finish: at(finish) } });
    };
    period('create', 'op_1', 60 + o * 30, 600 + o * 300, 3000 - o * 120);
    period('create', `op_${hh}`, 120, 1800 + o * 60, 3600 + 1800);
    if (variant === 0) {
      period('create', `op_gone_${hh}`, 150, 300, 900);
      period('delete', `op_gone_${hh}`, 200, 300, 900);
    }
    for (let v = 1; v <= 4; v++) {
      if (variant === 1 && org === 'org-b' && v === 3) continue;
      for (let minute = 0; minute < 60; minute++) {
        const second = minute * 60 + v * 7 + o * 3;
        // A location read late: reported now, taken 70 minutes ago (in the hour before; 130 in variant 1).
        const taken = v === 4 && minute === 59 ? second - (variant === 1 ? 7800 : 4200) : second;
        const wobble = ((minute * 37 + v * 11 + variant * 5) % 17) / 10_000;
        const lat = 52.5 + o * 0.5 + v * 0.01 + minute * 0.0007 + wobble + variant * 0.0003;
        const lng = 13.4 + o * 0.5 - v * 0.01 + minute * 0.0005 - wobble;
        events.push({
          event: minute === 0 ? 'register' : 'update',
          on: 'vehicle',
          at: at(second),
          organization_id: org,
          data: { id: `v${v}`, location: { lat: Number(lat.toFixed(5)), lng: Number(lng.toFixed(5)), at: at(taken) } },
        });
      }
    }
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

/** One source object holding the hour's events, named as the feed names them. */
export function objectName(hour: string): string {
  return `${hour.slice(0, 10)}-${hour.slice(11, 13)}-0-0-events.json`;
}

const R = 6371.0088;
const radians = (d: number): number => (d * Math.PI) / 180;

function haversine(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const h = Math.sin(radians(b.lat - a.lat) / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(radians(b.lng - a.lng) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

export interface Answer {
  readonly organization_id: string;
  readonly period_id: string;
  readonly vehicles: number;
  readonly avg_km: number;
}

/**
 * The BI answer computed straight from the events, in TypeScript: for each organization's period
 * whose latest event is `create`, each of that organization's vehicles with a distinct point in
 * [start, finish]: the haversine length of its points in time order.
 */
export function expectedAnswer(events: readonly FeedEvent[]): Answer[] {
  const latest = new Map<string, FeedEvent>();
  for (const e of events) {
    if (e.on !== 'operating_period') continue;
    const key = `${e.organization_id}\u0000${String(e.data['id'])}`;
    const seen = latest.get(key);
    if (!seen || seen.at <= e.at) latest.set(key, e);
  }
  const points = new Map<string, { t: number; lat: number; lng: number }>();
  for (const e of events) {
    const location = e.data['location'] as { lat: number; lng: number; at: string } | undefined;
    if (e.on !== 'vehicle' || !location) continue;
    const t = Date.parse(location.at);
    points.set(`${e.organization_id}\u0000${String(e.data['id'])}\u0000${t}\u0000${location.lat}\u0000${location.lng}`, { t, lat: location.lat, lng: location.lng });
  }
  const answers: Answer[] = [];
  for (const period of latest.values()) {
    if (period.event !== 'create') continue;
    const start = Date.parse(String(period.data['start']));
    const finish = Date.parse(String(period.data['finish']));
    const tracks = new Map<string, { t: number; lat: number; lng: number }[]>();
    for (const [key, point] of points) {
      const [org, vehicle] = key.split('\u0000') as [string, string];
      if (org !== period.organization_id || point.t < start || point.t > finish) continue;
      tracks.set(vehicle, [...(tracks.get(vehicle) ?? []), point]);
    }
    if (tracks.size === 0) continue;
    const km = [...tracks.values()].map((track) => {
      track.sort((a, b) => a.t - b.t || a.lat - b.lat || a.lng - b.lng);
      return track.slice(1).reduce((sum, p, i) => sum + haversine(track[i] as { lat: number; lng: number }, p), 0);
    });
    answers.push({ organization_id: period.organization_id, period_id: String(period.data['id']), vehicles: tracks.size, avg_km: km.reduce((a, b) => a + b, 0) / km.length });
  }
  return answers.sort((a, b) => a.organization_id.localeCompare(b.organization_id) || a.period_id.localeCompare(b.period_id));
}
