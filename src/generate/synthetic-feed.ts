/**
 * A realistic synthetic hour in the original bucket's shape: one JSON Lines file per second,
 * named `YYYY-MM-DD-HH-M-S-events.json` (minute and second not padded). Shuttles register,
 * drive smoothly around Berlin reporting their location about every 2 s, and deregister;
 * operating periods are created (and some deleted) while they drive. Deterministic per seed,
 * and generated second by second so memory stays flat whatever the fleet size.
 *
 * Always two organizations (the real sample has one; the warehouse must key periods and vehicles
 * by organization, and a feed that always has two tests that everywhere it is generated):
 * `org-id` has three quarters of the vehicles and `org-id-2` the rest; every period belongs to
 * one of them; and some ids are used by both, as two organizations' systems are free to do: one
 * vehicle in eight of `org-id-2` has the id of a vehicle of `org-id`, and `org-id-2` has periods
 * with the ids of two of `org-id`'s (one of which `org-id` deletes). Period ids carry the hour
 * (`op_2019060115_1`), so hours never share a period.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomUuid, seededRandom, type Random } from './seeded-random.js';

export interface GenerateOptions {
  readonly out: string;
  /** Start of the logical hour (UTC). */
  readonly hour: Date;
  readonly vehicles: number;
  /**
   * The first `seconds` of the hour get files (default 3600, the whole hour); shifts and
   * operating periods are scaled to fit, so a short hour has the whole hour's shape.
   */
  readonly seconds?: number;
  /** Same seed ⇒ byte-identical output. Default 1. */
  readonly seed?: number;
  readonly gzip?: boolean;
  readonly onProgress?: (filesDone: number, filesTotal: number) => void;
}

export interface GenerateResult {
  readonly files: number;
  readonly events: number;
  readonly bytes: number;
}

export const HOUR_SECONDS = 3600;
const UPDATE_EVERY_S = 2;
const BOUNDS = { latMin: 52.45, latMax: 52.6, lngMin: 13.25, lngMax: 13.55 };
const METERS_PER_DEGREE = 111_320;
const WRITES_IN_FLIGHT = 16;

interface Vehicle {
  readonly id: string;
  readonly organization: string;
  readonly registerAt: number; // second of the hour
  readonly deregisterAt: number;
  /** Millisecond within the second at which this vehicle reports. */
  readonly msOffset: number;
  lat: number;
  lng: number;
  heading: number; // radians, 0 = north
  speed: number; // m/s
}

interface PeriodEvent {
  readonly second: number;
  readonly line: (at: string) => string;
}

/** A second of a whole hour's timeline, scaled to a span of `span` seconds. */
function scaled(second: number, span: number): number {
  return span === HOUR_SECONDS ? second : (second * span) / HOUR_SECONDS;
}

export const ORGANIZATIONS = ['org-id', 'org-id-2'] as const;

/** Every fourth vehicle belongs to the second organization. */
function organizationOf(index: number): string {
  return ORGANIZATIONS[index % 4 === 3 ? 1 : 0];
}

function createVehicle(random: Random, index: number, span: number, earlier: readonly Vehicle[]): Vehicle {
  // Most shuttles start in the first two minutes and stop in the last two; a few run shorter
  // shifts. The first one drives the whole hour so every second of it has a file.
  const shortShift = index > 0 && random() < 0.05;
  const registerAt = index === 0 ? 0 : Math.floor(scaled(shortShift ? random() * 1800 : random() * 120, span));
  const deregisterAt = Math.max(registerAt + Math.ceil(scaled(60, span)), Math.floor(scaled(shortShift ? 1800 + random() * 1500 : HOUR_SECONDS - 1 - random() * 120, span)));
  const ownId = randomUuid(random);
  // One vehicle in eight (all of the second organization) reuses the id of the first organization's vehicle before it.
  const id = index % 8 === 7 ? (earlier[index - 1] as Vehicle).id : ownId;
  return {
    id,
    organization: organizationOf(index),
    registerAt,
    deregisterAt: index === 0 ? span - 1 : Math.min(span - 1, deregisterAt),
    msOffset: Math.floor(random() * 1000),
    lat: BOUNDS.latMin + random() * (BOUNDS.latMax - BOUNDS.latMin),
    lng: BOUNDS.lngMin + random() * (BOUNDS.lngMax - BOUNDS.lngMin),
    heading: random() * 2 * Math.PI,
    speed: 4 + random() * 8,
  };
}

/** Advances a vehicle by `seconds`: gentle turns, speed changes, turning back at the city edge. */
function drive(v: Vehicle, random: Random, seconds: number): void {
  v.heading += (random() - 0.5) * 0.4;
  v.speed = Math.min(14, Math.max(0, v.speed + (random() - 0.5) * 2));
  const meters = v.speed * seconds;
  let lat = v.lat + (meters * Math.cos(v.heading)) / METERS_PER_DEGREE;
  let lng = v.lng + (meters * Math.sin(v.heading)) / (METERS_PER_DEGREE * Math.cos((v.lat * Math.PI) / 180));
  if (lat < BOUNDS.latMin || lat > BOUNDS.latMax) {
    v.heading = Math.PI - v.heading;
    lat = v.lat;
  }
  if (lng < BOUNDS.lngMin || lng > BOUNDS.lngMax) {
    v.heading = -v.heading;
    lng = v.lng;
  }
  v.lat = lat;
  v.lng = lng;
}

function iso(hourStart: number, second: number, ms: number): string {
  return new Date(hourStart + second * 1000 + ms).toISOString();
}

/**
 * The hour's operating periods: whose, and the number in their id. `org-id` deletes its third;
 * `org-id-2` uses the ids of `org-id`'s first and third.
 */
const PERIODS: readonly { readonly organization: string; readonly n: number; readonly deleted: boolean }[] = [
  { organization: 'org-id', n: 1, deleted: false },
  { organization: 'org-id', n: 2, deleted: false },
  { organization: 'org-id', n: 3, deleted: true },
  { organization: 'org-id-2', n: 1, deleted: false },
  { organization: 'org-id-2', n: 3, deleted: false },
];

/** An operating period's id: unique to its hour (`op_2019060115_1`), shared by organizations. */
export function periodId(hourStart: number, n: number): string {
  return `op_${new Date(hourStart).toISOString().slice(0, 13).replace(/[-T]/g, '')}_${n}`;
}

/** Operating periods created (and some deleted) while the fleet drives. */
function planPeriods(random: Random, hourStart: number, span: number): PeriodEvent[] {
  const events: PeriodEvent[] = [];
  const at = (second: number): number => Math.floor(scaled(second, span));
  PERIODS.forEach(({ organization, n, deleted }, p) => {
    const createdInHour = 300 + Math.floor(random() * 600) + p * 300;
    const created = at(createdInHour);
    const start = iso(hourStart, at(createdInHour + 60 + Math.floor(random() * 300)), 0);
    const finish = iso(hourStart, Math.min(span - 1, at(createdInHour + 900 + Math.floor(random() * 900))), 0);
    const data = `{"id":"${periodId(hourStart, n)}","start":"${start}","finish":"${finish}"}`;
    events.push({ second: created, line: (at) => `{"event":"create","on":"operating_period","at":"${at}","data":${data},"organization_id":"${organization}"}` });
    if (deleted) {
      events.push({ second: at(createdInHour + 120), line: (at) => `{"event":"delete","on":"operating_period","at":"${at}","data":${data},"organization_id":"${organization}"}` });
    }
  });
  return events;
}

function fileName(hour: Date, second: number, gzip: boolean): string {
  const date = hour.toISOString().slice(0, 10);
  const hh = String(hour.getUTCHours()).padStart(2, '0');
  return `${date}-${hh}-${Math.floor(second / 60)}-${second % 60}-events.json${gzip ? '.gz' : ''}`;
}

function locationLine(event: string, v: Vehicle, at: string): string {
  return `{"event":"${event}","on":"vehicle","at":"${at}","data":{"id":"${v.id}","location":{"lat":${v.lat.toFixed(5)},"lng":${v.lng.toFixed(5)},"at":"${at}"}},"organization_id":"${v.organization}"}`;
}

export async function generateHour(options: GenerateOptions): Promise<GenerateResult> {
  const random = seededRandom(options.seed ?? 1);
  const hourStart = Date.UTC(options.hour.getUTCFullYear(), options.hour.getUTCMonth(), options.hour.getUTCDate(), options.hour.getUTCHours());
  const hour = new Date(hourStart);
  const span = options.seconds ?? HOUR_SECONDS;
  if (!Number.isInteger(span) || span < 1 || span > HOUR_SECONDS) throw new RangeError(`seconds must be a whole number from 1 to ${HOUR_SECONDS}, not ${span}`);
  const vehicles: Vehicle[] = [];
  for (let i = 0; i < options.vehicles; i++) vehicles.push(createVehicle(random, i, span, vehicles));
  const periods = planPeriods(random, hourStart, span);
  await mkdir(options.out, { recursive: true });

  let files = 0;
  let events = 0;
  let bytes = 0;
  const inFlight = new Set<Promise<void>>();
  for (let second = 0; second < span; second++) {
    const lines: { ms: number; text: string }[] = [];
    const prefix = new Date(hourStart + second * 1000).toISOString().slice(0, 20); // …T15:07:05.
    const at = (ms: number): string => `${prefix}${String(ms).padStart(3, '0')}Z`;
    for (const v of vehicles) {
      if (second < v.registerAt || second > v.deregisterAt) continue;
      const ms = v.msOffset;
      if (second === v.registerAt) {
        lines.push({ ms, text: locationLine('register', v, at(ms)) });
      } else if (second === v.deregisterAt) {
        lines.push({ ms, text: `{"event":"deregister","on":"vehicle","at":"${at(ms)}","data":{"id":"${v.id}"},"organization_id":"${v.organization}"}` });
      } else if ((second - v.registerAt) % UPDATE_EVERY_S === 0) {
        drive(v, random, UPDATE_EVERY_S);
        lines.push({ ms, text: locationLine('update', v, at(ms)) });
      }
    }
    for (const p of periods) if (p.second === second) lines.push({ ms: 0, text: p.line(at(0)) });
    lines.sort((a, b) => a.ms - b.ms);
    // A quiet second still gets its (empty) file, as the feed writes one every second.
    const text = lines.length === 0 ? '' : `${lines.map((l) => l.text).join('\n')}\n`;
    const body = options.gzip ? gzipSync(text) : Buffer.from(text);
    events += lines.length;
    bytes += body.length;
    const write = writeFile(join(options.out, fileName(hour, second, options.gzip ?? false)), body).then(() => {
      inFlight.delete(write);
      files++;
      options.onProgress?.(files, span);
    });
    inFlight.add(write);
    if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { files, events, bytes };
}
