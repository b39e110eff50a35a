import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateHour } from '../../src/generate/synthetic-feed.js';
import { parseSourceObjectName } from '../../src/pipeline/source-object-name.js';
import { tempDir } from '../helpers/fixtures.js';

const HOUR = new Date('2019-06-01T15:00:00Z');

interface Event {
  event: string;
  on: string;
  at: string;
  organization_id: string;
  data: { id: string; location?: { lat: number; lng: number; at: string }; start?: string; finish?: string };
}

async function readFeed(dir: string): Promise<{ file: string; events: Event[] }[]> {
  const files = (await readdir(dir)).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(join(dir, file));
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      if (text.length === 0) return { file, events: [] };
      expect(text.endsWith('\n')).toBe(true);
      return { file, events: text.trimEnd().split('\n').map((l) => JSON.parse(l) as Event) };
    }),
  );
}

async function digest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(dir)).sort()) hash.update(file).update(await readFile(join(dir, file)));
  return hash.digest('hex');
}

describe('generateHour', () => {
  it('writes one file per second of the hour in the original naming, events inside their second', async () => {
    const out = await tempDir();
    const result = await generateHour({ out, hour: HOUR, vehicles: 8, seed: 3 });
    const feed = await readFeed(out);
    expect(result.files).toBe(3600);
    expect(feed).toHaveLength(3600);
    expect(result.events).toBe(feed.reduce((n, f) => n + f.events.length, 0));
    expect(feed.some((f) => f.file === '2019-06-01-15-7-5-events.json')).toBe(true);
    for (const { file, events } of feed) {
      const name = parseSourceObjectName(file);
      expect(name).toMatchObject({ date: '2019-06-01', hour: '15' });
      for (const e of events) {
        const at = new Date(e.at);
        expect(at.getUTCMinutes()).toBe(name?.minute);
        expect(at.getUTCSeconds()).toBe(name?.second);
        expect(Object.keys(e)).toEqual(['event', 'on', 'at', 'data', 'organization_id']);
      }
    }
  });

  it('drives each vehicle from one register to one deregister, moving smoothly in Berlin', async () => {
    const out = await tempDir();
    await generateHour({ out, hour: HOUR, vehicles: 12, seed: 7, seconds: 900 });
    const events = (await readFeed(out)).flatMap((f) => f.events).sort((a, b) => a.at.localeCompare(b.at));
    // A vehicle is its organization and its id (ids are reused across organizations).
    const vehicles = new Map<string, Event[]>();
    for (const e of events.filter((x) => x.on === 'vehicle')) vehicles.set(`${e.organization_id} ${e.data.id}`, [...(vehicles.get(`${e.organization_id} ${e.data.id}`) ?? []), e]);
    expect(vehicles.size).toBe(12);
    for (const [key, trail] of vehicles) {
      const id = key.split(' ')[1];
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(trail[0]?.event).toBe('register');
      expect(trail.at(-1)?.event).toBe('deregister');
      const updates = trail.filter((e) => e.event === 'update');
      expect(updates.length).toBe(trail.length - 2);
      const seconds = (Date.parse(trail.at(-1)?.at ?? '') - Date.parse(trail[0]?.at ?? '')) / 1000;
      expect(updates.length).toBeGreaterThan(seconds / 2 - 2); // about one update every 2 s
      for (let i = 1; i < updates.length; i++) {
        const a = updates[i - 1]?.data.location;
        const b = updates[i]?.data.location;
        if (!a || !b) throw new Error('update without location');
        expect(b.lat).toBeGreaterThanOrEqual(52.45);
        expect(b.lat).toBeLessThanOrEqual(52.6);
        // At most ~30 m in 2 s: no teleporting.
        expect(Math.hypot(b.lat - a.lat, (b.lng - a.lng) * 0.61) * 111_320).toBeLessThan(40);
      }
    }
  });

  it('creates at least two operating periods while vehicles drive, and deletes some', async () => {
    const out = await tempDir();
    await generateHour({ out, hour: HOUR, vehicles: 5, seed: 1, seconds: 600 });
    const events = (await readFeed(out)).flatMap((f) => f.events);
    const periods = events.filter((e) => e.on === 'operating_period');
    const created = periods.filter((e) => e.event === 'create');
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(periods.some((e) => e.event === 'delete')).toBe(true);
    const registered = Math.min(...events.filter((e) => e.event === 'register').map((e) => Date.parse(e.at)));
    const deregistered = Math.max(...events.filter((e) => e.event === 'deregister').map((e) => Date.parse(e.at)));
    for (const p of created) {
      expect(Date.parse(p.at)).toBeGreaterThan(registered);
      expect(Date.parse(p.data.start ?? '')).toBeLessThan(Date.parse(p.data.finish ?? ''));
      expect(Date.parse(p.data.finish ?? '')).toBeLessThanOrEqual(deregistered);
    }
  });

  it('is deterministic for a seed, and gzips on request', async () => {
    const [a, b, c, gz] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await generateHour({ out: a, hour: HOUR, vehicles: 4, seed: 42, seconds: 300 });
    await generateHour({ out: b, hour: HOUR, vehicles: 4, seed: 42, seconds: 300 });
    await generateHour({ out: c, hour: HOUR, vehicles: 4, seed: 43, seconds: 300 });
    await generateHour({ out: gz, hour: HOUR, vehicles: 4, seed: 42, seconds: 300, gzip: true });
    expect(await digest(a)).toBe(await digest(b));
    expect(await digest(a)).not.toBe(await digest(c));
    const plain = await readFeed(a);
    const zipped = await readFeed(gz);
    expect(zipped.map((f) => f.file)).toEqual(plain.map((f) => `${f.file}.gz`));
    expect(zipped.map((f) => f.events)).toEqual(plain.map((f) => f.events));
  });

  it('writes only the first seconds asked for, with every shift and operating period inside them', async () => {
    const out = await tempDir();
    const result = await generateHour({ out, hour: HOUR, vehicles: 30, seed: 9, seconds: 60 });
    const feed = await readFeed(out);
    expect(result.files).toBe(60);
    expect(feed.map((f) => parseSourceObjectName(f.file)?.minute)).toEqual(Array.from({ length: 60 }, () => 0));
    const events = feed.flatMap((f) => f.events);
    const end = Date.parse('2019-06-01T15:01:00Z');
    for (const e of events) expect(Date.parse(e.at)).toBeLessThan(end);
    const registers = events.filter((e) => e.event === 'register').map((e) => `${e.organization_id} ${e.data.id}`);
    const deregisters = events.filter((e) => e.event === 'deregister').map((e) => `${e.organization_id} ${e.data.id}`);
    expect(new Set(registers).size).toBe(30);
    expect(deregisters.sort()).toEqual([...registers].sort());
    const created = events.filter((e) => e.on === 'operating_period' && e.event === 'create');
    expect(created).toHaveLength(5);
    for (const p of created) expect(Date.parse(p.data.finish ?? '')).toBeLessThan(end);
  });

  it('writes the same bytes for the whole hour whether or not seconds is given, and refuses a span outside the hour', async () => {
    const [a, b] = await Promise.all([tempDir(), tempDir()]);
    await generateHour({ out: a, hour: HOUR, vehicles: 2, seed: 5 });
    await generateHour({ out: b, hour: HOUR, vehicles: 2, seed: 5, seconds: 3600 });
    expect(await digest(a)).toBe(await digest(b));
    await expect(generateHour({ out: a, hour: HOUR, vehicles: 2, seconds: 0 })).rejects.toThrow('seconds must be a whole number from 1 to 3600, not 0');
    await expect(generateHour({ out: a, hour: HOUR, vehicles: 2, seconds: 3601 })).rejects.toThrow('seconds must be a whole number from 1 to 3600, not 3601');
  });

  it('makes period ids unique to their hour, so many hours never collapse into a few periods', async () => {
    const [a, b] = await Promise.all([tempDir(), tempDir()]);
    await generateHour({ out: a, hour: HOUR, vehicles: 2, seed: 1, seconds: 600 });
    await generateHour({ out: b, hour: new Date('2019-06-01T16:00:00Z'), vehicles: 2, seed: 1, seconds: 600 });
    const ids = async (dir: string): Promise<string[]> => [...new Set((await readFeed(dir)).flatMap((f) => f.events).filter((e) => e.on === 'operating_period').map((e) => e.data.id))].sort();
    expect(await ids(a)).toEqual(['op_2019060115_1', 'op_2019060115_2', 'op_2019060115_3']);
    expect(await ids(b)).toEqual(['op_2019060116_1', 'op_2019060116_2', 'op_2019060116_3']);
  });

  it('has two organizations: each period is one organization\'s, and both use some of the same period and vehicle ids', async () => {
    const out = await tempDir();
    await generateHour({ out, hour: HOUR, vehicles: 16, seed: 2, seconds: 900 });
    const events = (await readFeed(out)).flatMap((f) => f.events);
    const periods = events.filter((e) => e.on === 'operating_period');
    const byOrg = (org: string, event: string): string[] => periods.filter((e) => e.organization_id === org && e.event === event).map((e) => e.data.id).sort();
    expect(byOrg('org-id', 'create')).toEqual(['op_2019060115_1', 'op_2019060115_2', 'op_2019060115_3']);
    expect(byOrg('org-id', 'delete')).toEqual(['op_2019060115_3']);
    expect(byOrg('org-id-2', 'create')).toEqual(['op_2019060115_1', 'op_2019060115_3']);
    expect(byOrg('org-id-2', 'delete')).toEqual([]);
    // The same id, two periods: each keeps its own interval.
    const intervals = periods.filter((e) => e.event === 'create' && e.data.id === 'op_2019060115_1').map((e) => `${e.data.start}/${e.data.finish}`);
    expect(new Set(intervals).size).toBe(2);

    const vehicles = new Map<string, Set<string>>();
    for (const e of events.filter((x) => x.on === 'vehicle')) vehicles.set(e.data.id, (vehicles.get(e.data.id) ?? new Set()).add(e.organization_id));
    const orgsOf = [...vehicles.values()];
    // 16 vehicles: 12 of org-id, 4 of org-id-2, of which 2 (the 8th and the 16th) reuse an org-id vehicle's id.
    expect(vehicles.size).toBe(14);
    expect(orgsOf.filter((o) => o.size === 2)).toHaveLength(2);
    expect(orgsOf.filter((o) => o.size === 1 && o.has('org-id-2'))).toHaveLength(2);
    // A reused id is still two vehicles: two registers, two deregisters.
    const shared = [...vehicles].find(([, o]) => o.size === 2)?.[0];
    expect(events.filter((e) => e.data.id === shared && e.event === 'register').map((e) => e.organization_id).sort()).toEqual(['org-id', 'org-id-2']);
    expect(events.filter((e) => e.data.id === shared && e.event === 'deregister')).toHaveLength(2);
  });
});
