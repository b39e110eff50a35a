/**
 * Publishing on an object store (no renames): against the conditional in-memory store double,
 * which can also fail at any chosen request, and against a real LocalObjectStore on a temp folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hourManifestKey, publishJournal, runArea, runScratch, stagedPartition } from '../../src/pipeline/lake-layout.js';
import { PublishOrderError } from '../../src/storage/errors.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import type { PartitionParts } from '../../src/storage/publisher.js';
import { readHourFiles, readHourManifest } from '../../src/storage/hour-manifest.js';
import { S3Publisher } from '../../src/storage/s3/s3-publisher.js';
import { ConditionalMemoryStore, type StoreOperation } from '../helpers/conditional-memory-store.js';
import { tempDir } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const VEHICLE = 'vehicle/date=2019-06-01/hour=15';
const BOOKING = 'booking/date=2019-06-01/hour=15';
const QUARANTINE = '_quarantine/date=2019-06-01/hour=15';
const NEXT_HOUR = 'vehicle/date=2019-06-01/hour=16/part-00000.parquet';
const RUN_A = `${HOUR}-aaaa`;
const RUN_B = `${HOUR}-bbbb`;

/** A partition's finished parts as files in the run's local scratch, named part-00000… in order. */
async function finished(scratchRoot: string, runId: string, partition: string, contents: readonly string[], extension = 'parquet'): Promise<PartitionParts> {
  const dir = join(scratchRoot, runScratch(runId), 'final', partition);
  await mkdir(dir, { recursive: true });
  const parts = [];
  for (const [i, content] of contents.entries()) {
    const name = `part-${String(i).padStart(5, '0')}.${extension}`;
    await writeFile(join(dir, name), content);
    parts.push({ name, file: join(dir, name), rows: i + 1, bytes: Buffer.byteLength(content) });
  }
  return { partition, parts };
}

/** Run A: the hour as it was published before. */
async function runA(scratchRoot: string): Promise<PartitionParts[]> {
  return [
    await finished(scratchRoot, RUN_A, VEHICLE, ['a0', 'a1', 'a2']),
    await finished(scratchRoot, RUN_A, BOOKING, ['b0']),
    await finished(scratchRoot, RUN_A, QUARANTINE, [], 'jsonl'),
  ];
}

/** Run B: fewer vehicle parts, no bookings at all this time, and a quarantined line. */
async function runB(scratchRoot: string): Promise<PartitionParts[]> {
  return [
    await finished(scratchRoot, RUN_B, VEHICLE, ['n0']),
    await finished(scratchRoot, RUN_B, BOOKING, []),
    await finished(scratchRoot, RUN_B, QUARANTINE, ['q0'], 'jsonl'),
  ];
}

/** Every object of the lake outside staging and manifests, with its text. */
async function lakeFiles(store: ObjectStore): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const { key } of store.list('')) {
    if (!key.startsWith('_staging/') && !key.startsWith('_manifests/')) files[key] = (await store.readAll(key)).toString('utf8');
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const { key } of store.list(prefix)) found.push(key);
  return found.sort();
}

const AFTER_A = {
  [`${BOOKING}/part-00000.parquet`]: 'b0',
  [NEXT_HOUR]: 'next hour',
  [`${VEHICLE}/part-00000.parquet`]: 'a0',
  [`${VEHICLE}/part-00001.parquet`]: 'a1',
  [`${VEHICLE}/part-00002.parquet`]: 'a2',
};
const AFTER_B = {
  [`${QUARANTINE}/part-00000.jsonl`]: 'q0',
  [NEXT_HOUR]: 'next hour',
  [`${VEHICLE}/part-00000.parquet`]: 'n0',
};

const stores: [string, () => Promise<ObjectStore>][] = [
  ['the conditional memory store', async () => new ConditionalMemoryStore()],
  ['a LocalObjectStore on a temp folder', async () => new LocalObjectStore(await tempDir())],
];

describe.each(stores)('S3Publisher on %s', (_, makeStore) => {
  it('replaces the hour: parts overwritten, extras and emptied entities removed, manifest with etags, staging and scratch cleared', async () => {
    const store = await makeStore();
    const scratchRoot = await tempDir();
    const publisher = new S3Publisher(store, { scratchRoot });
    await store.write(NEXT_HOUR, Buffer.from('next hour'));
    await publisher.publish(RUN_A, await runA(scratchRoot));
    expect(await lakeFiles(store)).toEqual(AFTER_A);

    const published = await publisher.publish(RUN_B, await runB(scratchRoot));
    expect(published).toEqual([
      { partition: VEHICLE, files: [{ key: `${VEHICLE}/part-00000.parquet`, rows: 1, bytes: 2 }] },
      { partition: BOOKING, files: [] },
      { partition: QUARANTINE, files: [{ key: `${QUARANTINE}/part-00000.jsonl`, rows: 1, bytes: 2 }] },
    ]);
    expect(await lakeFiles(store)).toEqual(AFTER_B);

    const manifest = await readHourManifest(store, HOUR);
    expect(manifest).toMatchObject({ version: 1, partitionKey: HOUR, runId: RUN_B });
    const vehicleEtag = (await store.readVersion(`${VEHICLE}/part-00000.parquet`))?.etag;
    const quarantineEtag = (await store.readVersion(`${QUARANTINE}/part-00000.jsonl`))?.etag;
    expect(manifest?.partitions).toEqual([
      { partition: VEHICLE, files: [{ key: `${VEHICLE}/part-00000.parquet`, rows: 1, bytes: 2, etag: vehicleEtag }] },
      { partition: BOOKING, files: [] },
      { partition: QUARANTINE, files: [{ key: `${QUARANTINE}/part-00000.jsonl`, rows: 1, bytes: 2, etag: quarantineEtag }] },
    ]);
    // A reader following the manifest gets exactly run B's files.
    const snapshot = await readHourFiles(store, HOUR);
    expect(snapshot?.files.map((f) => [f.key, f.body.toString('utf8')])).toEqual([
      [`${VEHICLE}/part-00000.parquet`, 'n0'],
      [`${QUARANTINE}/part-00000.jsonl`, 'q0'],
    ]);

    expect(await keys(store, '_staging/')).toEqual([]);
    expect(existsSync(join(scratchRoot, runArea(RUN_A)))).toBe(false);
    expect(existsSync(join(scratchRoot, runArea(RUN_B)))).toBe(false);
  });
});


/** Run B's publish as a crash after its journal leaves it: parts staged, journal written, nothing swapped. */
async function crashedAfterJournal(store: ObjectStore): Promise<void> {
  const partitions = [
    { partition: VEHICLE, parts: [{ name: 'part-00000.parquet', body: 'n0' }] },
    { partition: BOOKING, parts: [] },
    { partition: QUARANTINE, parts: [{ name: 'part-00000.jsonl', body: 'q0' }] },
  ];
  for (const { partition, parts } of partitions) for (const p of parts) await store.write(`${stagedPartition(RUN_B, partition)}/${p.name}`, Buffer.from(p.body));
  const journal = { version: 1, partitions: partitions.map(({ partition, parts }) => ({ partition, parts: parts.map((p) => ({ name: p.name, rows: 1, bytes: 2 })) })) };
  await store.write(publishJournal(RUN_B), Buffer.from(JSON.stringify(journal)));
}

describe.each(stores)('S3Publisher on %s: plan order and expired staging', (_, makeStore) => {
  it('refuses a plan older than the one the hour manifest names, before uploading anything; a newer plan publishes', async () => {
    const store = await makeStore();
    const scratchRoot = await tempDir();
    const publisher = new S3Publisher(store, { scratchRoot });
    await publisher.publish(RUN_A, await runA(scratchRoot), { plannedAt: '2019-06-01T16:10:00.000Z' });
    expect((await readHourManifest(store, HOUR))?.plannedAt).toBe('2019-06-01T16:10:00.000Z');
    const older = await runB(scratchRoot);
    const refused = publisher.publish(RUN_B, older, { plannedAt: '2019-06-01T16:05:00.000Z' });
    await expect(refused).rejects.toThrow(PublishOrderError);
    await expect(refused).rejects.toThrow(
      `run ${RUN_B} was not published: its plan of hour ${HOUR} (2019-06-01T16:05:00.000Z) is older than that of run ${RUN_A} (2019-06-01T16:10:00.000Z), whose publish the lake holds, and publishing it would roll the hour back; run the hour again to read its sources anew`,
    );
    expect(await lakeFiles(store)).toEqual(Object.fromEntries(Object.entries(AFTER_A).filter(([k]) => k !== NEXT_HOUR)));
    expect(await keys(store, '_staging/')).toEqual([]);
    expect((await readHourManifest(store, HOUR))?.runId).toBe(RUN_A);
    // The same run's journal, left by a crash from before the newer publish, is rolled back by recover too.
    await crashedAfterJournal(store);
    const journal = JSON.parse((await store.readAll(publishJournal(RUN_B))).toString('utf8')) as object;
    await store.write(publishJournal(RUN_B), Buffer.from(JSON.stringify({ ...journal, plannedAt: '2019-06-01T16:05:00.000Z' })));
    expect((await publisher.recover(HOUR)).map((r) => r.outcome)).toEqual(['rolled-back']);
    expect((await readHourManifest(store, HOUR))?.runId).toBe(RUN_A);
    expect(await keys(store, '_staging/')).toEqual([]);
    // A newer plan replaces the hour.
    await publisher.publish(RUN_B, await runB(scratchRoot), { plannedAt: '2019-06-01T16:20:00.000Z' });
    expect((await readHourManifest(store, HOUR))?.runId).toBe(RUN_B);
  });

  it('rolls back a journal whose staged parts expired, says so in one sentence, and the rerun publishes', async () => {
    const store = await makeStore();
    const scratchRoot = await tempDir();
    const publisher = new S3Publisher(store, { scratchRoot });
    await store.write(NEXT_HOUR, Buffer.from('next hour'));
    await publisher.publish(RUN_A, await runA(scratchRoot));
    await crashedAfterJournal(store);
    await store.delete(`${stagedPartition(RUN_B, VEHICLE)}/part-00000.parquet`); // staging's expiry
    expect(await publisher.recover(HOUR)).toEqual([
      {
        runId: RUN_B,
        outcome: 'rolled-back',
        message: `run ${RUN_B}'s interrupted publish of hour ${HOUR} was rolled back, not finished: 1 of its 2 staged parts are gone (${stagedPartition(RUN_B, VEHICLE)}/part-00000.parquet; staging expires), so the hour is run again from its sources; until then the lake still holds run ${RUN_A}'s publish of the hour`,
      },
    ]);
    expect(await lakeFiles(store)).toEqual(AFTER_A);
    expect(await keys(store, '_staging/')).toEqual([]);
    expect(await publisher.recover(HOUR)).toEqual([]);
    // The hour's rerun (from its sources) publishes.
    const runC = `${HOUR}-cccc`;
    await publisher.publish(runC, [await finished(scratchRoot, runC, VEHICLE, ['c0']), await finished(scratchRoot, runC, BOOKING, [])]);
    expect((await readHourFiles(store, HOUR))?.files.map((f) => [f.key, f.body.toString('utf8')])).toEqual([[`${VEHICLE}/part-00000.parquet`, 'c0']]);
  });

  it('rolls back a journal whose swap had begun before its parts expired, saying the hour waits for its rerun', async () => {
    const store = await makeStore();
    const scratchRoot = await tempDir();
    const publisher = new S3Publisher(store, { scratchRoot });
    await publisher.publish(RUN_A, await runA(scratchRoot));
    await crashedAfterJournal(store);
    // The crash came after the vehicle partition's copy; then the quarantine's staged part expired.
    await store.copy(`${stagedPartition(RUN_B, VEHICLE)}/part-00000.parquet`, `${VEHICLE}/part-00000.parquet`);
    await store.delete(`${stagedPartition(RUN_B, QUARANTINE)}/part-00000.jsonl`);
    const [recovered] = await publisher.recover(HOUR);
    expect(recovered?.outcome).toBe('rolled-back');
    expect(recovered?.message).toMatch(/until then some of the hour's files were already replaced, so readers of its manifest wait until the hour's next publish$/);
    expect(await keys(store, '_staging/')).toEqual([]);
    const runC = `${HOUR}-cccc`;
    await publisher.publish(runC, [await finished(scratchRoot, runC, VEHICLE, ['c0', 'c1'])]);
    expect((await readHourFiles(store, HOUR))?.files.map((f) => f.body.toString('utf8'))).toEqual(['c0', 'c1']);
  });
});

describe('S3Publisher on the conditional memory store', () => {
  it('commits with the journal after the uploads, writes the manifest after the swap, and times the swap', async () => {
    const store = new ConditionalMemoryStore();
    const scratchRoot = await tempDir();
    await new S3Publisher(store).publish(RUN_A, await runA(scratchRoot));
    // What a task run away from the lake left in B's staging (listed after the journal).
    await store.write(`${runArea(RUN_B)}/tasks/t00001/vehicle-0.parquet`, Buffer.from('task output'));
    // A clock that moves only when a final key changes: swapMs counts exactly the swap's requests.
    let clock = 1_000;
    const log: [StoreOperation, string][] = [];
    store.before = (op, key) => {
      if (op === 'write' || op === 'copy' || op === 'delete') log.push([op, key]);
      if (op === 'copy' || op === 'delete') clock += 10;
    };
    const parts = await runB(scratchRoot);
    await new S3Publisher(store, { now: () => clock }).publish(RUN_B, parts);

    const index = (op: StoreOperation, key: string): number => log.findIndex(([o, k]) => o === op && k === key);
    const journal = index('write', publishJournal(RUN_B));
    const manifest = index('write', hourManifestKey(HOUR));
    const finalChanges = log.flatMap(([op, key], i) => ((op === 'copy' || op === 'delete') && !key.startsWith('_staging/') ? [i] : []));
    const uploads = log.flatMap(([op, key], i) => (op === 'write' && key.startsWith(`${runArea(RUN_B)}/new/`) ? [i] : []));
    expect(uploads).toHaveLength(2);
    expect(Math.max(...uploads)).toBeLessThan(journal);
    expect(finalChanges).toHaveLength(5); // 2 copies, 3 old parts deleted
    expect(journal).toBeLessThan(Math.min(...finalChanges));
    expect(manifest).toBeGreaterThan(Math.max(...finalChanges));
    // Staging goes after the manifest, the journal last of all.
    expect(index('delete', publishJournal(RUN_B))).toBe(log.length - 1);
    expect(index('delete', `${runArea(RUN_B)}/tasks/t00001/vehicle-0.parquet`)).toBeGreaterThan(manifest);
    expect(index('delete', `${runArea(RUN_B)}/new/${VEHICLE}/part-00000.parquet`)).toBeGreaterThan(manifest);

    const written = await readHourManifest(store, HOUR);
    expect(written?.swapMs).toBe(50);
    expect(written?.publishedAt).toBe(new Date(1_000 + 50).toISOString());
    // The local part files were consumed by the upload.
    for (const { parts: files } of parts) for (const part of files) expect(existsSync(part.file)).toBe(false);
  });

  it('ends in the old hour or the new one, whichever request fails: recover applies a journal and abandons a run without one', async () => {
    // A clean run of B first, to count its requests and find the journal among them.
    const counting = new ConditionalMemoryStore();
    const scratch = await tempDir();
    await new S3Publisher(counting).publish(RUN_A, await runA(scratch));
    const requests: string[] = [];
    counting.before = (op, key) => {
      if (op === 'write' || op === 'copy' || op === 'delete') requests.push(`${op} ${key}`);
    };
    await new S3Publisher(counting).publish(RUN_B, await runB(scratch));
    const journalAt = requests.indexOf(`write ${publishJournal(RUN_B)}`);
    expect(journalAt).toBeGreaterThan(0);

    for (let failAt = 0; failAt < requests.length; failAt++) {
      const store = new ConditionalMemoryStore();
      const scratchRoot = await tempDir();
      await store.write(NEXT_HOUR, Buffer.from('next hour'));
      await new S3Publisher(store, { scratchRoot }).publish(RUN_A, await runA(scratchRoot));
      let seen = 0;
      store.before = (op) => {
        if ((op === 'write' || op === 'copy' || op === 'delete') && seen++ === failAt) throw new Error(`request ${failAt} failed`);
      };
      await expect(new S3Publisher(store, { scratchRoot }).publish(RUN_B, await runB(scratchRoot))).rejects.toThrow(`request ${failAt} failed`);
      store.before = undefined;

      // The hour's next run, with a healthy store.
      await new S3Publisher(store, { scratchRoot }).recover(HOUR);
      const committed = failAt > journalAt;
      expect({ failAt, files: await lakeFiles(store) }).toEqual({ failAt, files: committed ? AFTER_B : AFTER_A });
      expect((await readHourManifest(store, HOUR))?.runId).toBe(committed ? RUN_B : RUN_A);
      expect(await keys(store, '_staging/')).toEqual([]);
      expect(existsSync(join(scratchRoot, runArea(RUN_B)))).toBe(false);
    }
  });

  it('recovers only its own hour, keeping the staging of the run it is told to keep', async () => {
    const store = new ConditionalMemoryStore();
    const scratchRoot = await tempDir();
    const staged = [
      `_staging/${HOUR}-dead/work/x`,
      `_staging/${HOUR}-dead/new/${VEHICLE}/part-00000.parquet`,
      `_staging/${HOUR}-keep/tasks/t00001/vehicle-0.parquet`,
      `_staging/${HOUR}-keep/done/t00001.json`,
      '_staging/2019-06-01T16-other/tasks/t00001/vehicle-0.parquet',
    ];
    for (const key of staged) await store.write(key, Buffer.from('x'));
    await mkdir(join(scratchRoot, runScratch(`${HOUR}-dead`)), { recursive: true });
    await mkdir(join(scratchRoot, runScratch(`${HOUR}-keep`)), { recursive: true });
    // A run of the hour that died on this machine before uploading anything.
    await mkdir(join(scratchRoot, runScratch(`${HOUR}-local`)), { recursive: true });

    await new S3Publisher(store, { scratchRoot }).recover(HOUR, `${HOUR}-keep`);
    expect(await keys(store, '_staging/')).toEqual(staged.slice(2).sort());
    expect(existsSync(join(scratchRoot, runArea(`${HOUR}-dead`)))).toBe(false);
    expect(existsSync(join(scratchRoot, runArea(`${HOUR}-local`)))).toBe(false);
    expect(existsSync(join(scratchRoot, runScratch(`${HOUR}-keep`)))).toBe(true);
    // Nothing was published by abandoning.
    expect(await readHourManifest(store, HOUR)).toBeUndefined();
  });

  it('abandons exactly one run, not another whose name starts with its name', async () => {
    const store = new ConditionalMemoryStore();
    await store.write(`_staging/${HOUR}-a/work/x`, Buffer.from('x'));
    await store.write(`_staging/${HOUR}-ab/work/x`, Buffer.from('x'));
    await new S3Publisher(store).abandon(`${HOUR}-a`);
    expect(store.keys('_staging/')).toEqual([`_staging/${HOUR}-ab/work/x`]);
  });

  it('refuses a journal it cannot read, in one sentence', async () => {
    const store = new ConditionalMemoryStore();
    await store.write(publishJournal(RUN_B), Buffer.from('{"partitions": "?"}'));
    await expect(new S3Publisher(store).recover(HOUR)).rejects.toThrow(
      /^the publish journal _staging\/2019-06-01T15-bbbb\/publish.json in memory:\/\/lake\/ is not one eventlake wrote; delete _staging\/2019-06-01T15-bbbb\/ there to drop that run's publish$/,
    );
  });
});
