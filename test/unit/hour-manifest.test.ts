/**
 * The hour manifest: checked when read, and a reader that follows it sees one publish of the
 * hour, retrying while a publish is overwriting its files. Against the conditional memory store
 * double; the reader's waits are injected, so nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { hourManifestKey } from '../../src/pipeline/lake-layout.js';
import { UserError } from '../../src/errors/user-error.js';
import { listHourManifests, readHourFiles, readHourManifest, writeHourManifest, type HourManifest } from '../../src/storage/hour-manifest.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';

const HOUR = '2019-06-01T15';
const VEHICLE = 'vehicle/date=2019-06-01/hour=15';
const PART0 = `${VEHICLE}/part-00000.parquet`;
const PART1 = `${VEHICLE}/part-00001.parquet`;

/** Writes the files and a manifest naming their current etags, as a publish of `runId` would. */
async function publish(store: ConditionalMemoryStore, runId: string, files: Record<string, string>, hour = HOUR): Promise<HourManifest> {
  const listed = [];
  for (const [key, text] of Object.entries(files)) {
    await store.write(key, Buffer.from(text));
    listed.push({ key, rows: 1, bytes: text.length, etag: store.objects.get(key)?.etag ?? '' });
  }
  const manifest: HourManifest = {
    version: 1,
    partitionKey: hour,
    runId,
    publishedAt: '2019-06-01T16:05:00.000Z',
    swapMs: 3,
    partitions: [{ partition: VEHICLE, files: listed }],
  };
  await writeHourManifest(store, manifest);
  return manifest;
}

const texts = (files: readonly { key: string; body: Buffer }[] | undefined): [string, string][] | undefined => files?.map((f) => [f.key, f.body.toString('utf8')]);

describe('hour manifest', () => {
  it('round-trips, and is undefined for an hour never published', async () => {
    const store = new ConditionalMemoryStore();
    expect(await readHourManifest(store, HOUR)).toBeUndefined();
    expect(await readHourFiles(store, HOUR)).toBeUndefined();
    const written = await publish(store, `${HOUR}-a`, { [PART0]: 'a0' });
    expect(await readHourManifest(store, HOUR)).toEqual(written);
  });

  it('refuses a manifest that is not one, in one sentence naming it and what to do', async () => {
    const store = new ConditionalMemoryStore();
    await store.write(hourManifestKey(HOUR), Buffer.from('{"version": 1, "partitionKey": "2019-06-01T15", "runId": "r", "publishedAt": "2019-06-01T16:05:00.000Z", "swapMs": 1, "partitions": [{"partition": "p", "files": [{"key": "k", "rows": -1, "bytes": 1, "etag": "e"}]}]}'));
    const refused = readHourManifest(store, HOUR);
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow(
      /^the hour manifest _manifests\/2019-06-01T15\.json in memory:\/\/lake\/ is not an eventlake hour manifest \(partitions\.0\.files\.0\.rows: [^)]+\); run the hour again to rewrite it$/,
    );
    await store.write(hourManifestKey(HOUR), Buffer.from('{"version": 1, "part'));
    await expect(readHourManifest(store, HOUR)).rejects.toThrow(/^the hour manifest _manifests\/2019-06-01T15\.json in memory:\/\/lake\/ is not JSON; run the hour again to rewrite it$/);
  });

  it('lists every published hour in hour order', async () => {
    const store = new ConditionalMemoryStore();
    await publish(store, '2019-06-01T16-b', { 'vehicle/date=2019-06-01/hour=16/part-00000.parquet': 'b' }, '2019-06-01T16');
    await publish(store, `${HOUR}-a`, { [PART0]: 'a' });
    await store.write('_manifests/notes.txt', Buffer.from('not a manifest'));
    expect((await listHourManifests(store)).map((m) => [m.partitionKey, m.runId])).toEqual([
      [HOUR, `${HOUR}-a`],
      ['2019-06-01T16', '2019-06-01T16-b'],
    ]);
  });

  it('gives a reader the files of one publish, and only the partitions it asks for', async () => {
    const store = new ConditionalMemoryStore();
    await publish(store, `${HOUR}-a`, { [PART0]: 'a0', [PART1]: 'a1' });
    const snapshot = await readHourFiles(store, HOUR);
    expect(snapshot?.manifest.runId).toBe(`${HOUR}-a`);
    expect(texts(snapshot?.files)).toEqual([
      [PART0, 'a0'],
      [PART1, 'a1'],
    ]);
    expect((await readHourFiles(store, HOUR, { partitions: (p) => p.startsWith('booking/') }))?.files).toEqual([]);
  });

  it('reads the hour again when a file is not the version its manifest names (a publish mid-swap), until the new manifest is there', async () => {
    const store = new ConditionalMemoryStore();
    await publish(store, `${HOUR}-a`, { [PART0]: 'a0', [PART1]: 'a1' });
    // Run b is mid-swap: part 0 overwritten, part 1 of run a already deleted, manifest not yet written.
    await store.write(PART0, Buffer.from('b0'));
    await store.delete(PART1);
    const waits: number[] = [];
    const snapshot = await readHourFiles(store, HOUR, {
      waitMs: 100,
      wait: async (ms) => {
        waits.push(ms);
        // The publish goes on while the reader waits; on the second wait it has written its manifest.
        if (waits.length === 2) await publish(store, `${HOUR}-b`, { [PART0]: 'b0' });
      },
    });
    expect(waits).toEqual([100, 200]);
    expect(snapshot?.manifest.runId).toBe(`${HOUR}-b`);
    expect(texts(snapshot?.files)).toEqual([[PART0, 'b0']]);
  });

  it('never mixes a file of the old publish with one of the new', async () => {
    const store = new ConditionalMemoryStore();
    await publish(store, `${HOUR}-a`, { [PART0]: 'a0', [PART1]: 'a1' });
    // Part 0 is read as run a wrote it; just before part 1 is read, run b replaces both and publishes.
    let published = false;
    store.before = async (op, key) => {
      if (op !== 'readVersion' || key !== PART1 || published) return;
      published = true;
      await publish(store, `${HOUR}-b`, { [PART0]: 'b0', [PART1]: 'b1' });
    };
    const snapshot = await readHourFiles(store, HOUR, { wait: async () => {} });
    expect(published).toBe(true);
    expect(snapshot?.manifest.runId).toBe(`${HOUR}-b`);
    expect(texts(snapshot?.files)).toEqual([
      [PART0, 'b0'],
      [PART1, 'b1'],
    ]);
  });

  it('gives up after its attempts with one sentence when the hour keeps changing', async () => {
    const store = new ConditionalMemoryStore();
    await publish(store, `${HOUR}-a`, { [PART0]: 'a0' });
    await store.write(PART0, Buffer.from('changed, and no new manifest ever comes'));
    const waits: number[] = [];
    const reading = readHourFiles(store, HOUR, { attempts: 3, waitMs: 10, wait: async (ms) => void waits.push(ms) });
    await expect(reading).rejects.toBeInstanceOf(UserError);
    await expect(reading).rejects.toThrow(
      /^hour 2019-06-01T15 in memory:\/\/lake\/ kept changing while it was read \(3 attempts; another run is publishing it\); try again when that run has finished$/,
    );
    expect(waits).toEqual([10, 20]);
  });
});
