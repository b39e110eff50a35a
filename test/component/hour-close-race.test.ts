/**
 * Exactly one close per run when the last two task completions race. The claim is a conditional
 * create (S3's If-None-Match), which s3rver ignores, so the race runs on the conditional store
 * double (test/helpers/conditional-memory-store.ts) that honours it as S3 does.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import { listLakeRuns, writeLakeRun, readLakeRun, type LakeRunRecord } from '../../src/orchestration/lake/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { closeClaimKey } from '../../src/pipeline/lake-layout.js';
import { TaskProcessor } from '../../src/pipeline/task-processor.js';
import { loadLakeFormat } from '../../src/formats/lake-formats.js';
import { closeHour, recordSuccess } from '../../src/runtime/lambda/hour-close.js';
import { LakeRunStore } from '../../src/orchestration/lake/lake-run-store.js';
import { LakeObjectStaging } from '../../src/storage/lake-object-staging.js';
import { readHourManifest } from '../../src/storage/hour-manifest.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { S3LakeStorage } from '../../src/storage/s3/s3-lake-storage.js';
import { cloudRunOf, planLocalHour, recordQueuedRun } from '../helpers/cloud-runs.js';
import { ConditionalMemoryStore } from '../helpers/conditional-memory-store.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeSmallHour } from '../helpers/processes.js';

const hour = parseHour('2019-06-01T15') as Hour;

/** A run of a small hour whose every task is done and staged in the double's lake. */
async function doneRun(lakeStore: ConditionalMemoryStore): Promise<LakeRunRecord> {
  const source = await tempDir();
  await writeSmallHour(source, hour.label, 6, 4);
  const manifest = await planLocalHour(source, hour, 1);
  const record = await recordQueuedRun(lakeStore, manifest);
  const scratch = await tempDir();
  const processor = new TaskProcessor(manifest, scratch, { store: new LocalObjectStore(source), registry: defaultRegistry(), format: await loadLakeFormat('parquet') });
  for (const task of manifest.tasks) await new LakeObjectStaging(lakeStore).keep(manifest.runId, scratch, await processor.process(task, () => undefined));
  return record;
}

async function closer(lakeStore: ConditionalMemoryStore, name: string, claimMs = 60_000, now?: () => number) {
  return {
    lakeStore,
    lake: new S3LakeStorage('lake', '', lakeStore),
    registry: defaultRegistry(),
    scratchDir: join(await tempDir(), name),
    closer: name,
    claimMs,
    ...(now ? { now } : {}),
  };
}

describe('the hour close, on a store that honours conditional writes as S3 does (double)', () => {
  it('two invocations finishing the last tasks together: exactly one closes', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    expect(record.manifest.tasks.length).toBe(6);
    // Both reach the claim before either writes it.
    let waiting = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    lakeStore.before = async (operation, key) => {
      if (operation === 'createIfAbsent' && key === closeClaimKey(record.runId)) {
        if (++waiting === 2) open();
        await gate;
      }
    };
    const outcomes = await Promise.all([closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'a')), closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'b'))]);
    lakeStore.before = undefined;
    expect(outcomes.filter((o) => o.closed)).toHaveLength(1);
    expect(outcomes.find((o) => !o.closed)).toMatchObject({ closed: false, why: 'held', reason: expect.stringMatching(/^[ab]@\S+ claimed its close at \S+ until \S+$/) });
    expect((await readLakeRun(lakeStore, hour.label, record.runId))?.status).toBe('success');
    const manifest = await readHourManifest(lakeStore, hour.label);
    expect(manifest?.runId).toBe(record.runId);
    expect(manifest?.partitions.find((p) => p.partition.startsWith('vehicle/'))?.files.map((f) => f.rows)).toEqual([24]);
    expect([...lakeStore.objects.keys()].filter((k) => k.startsWith('_staging/'))).toEqual([]);
  });

  it('a claim whose closer died (expired) is taken over; a live one is not', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    let clock = Date.parse('2026-11-25T12:00:00Z');
    await lakeStore.createIfAbsent(closeClaimKey(record.runId), Buffer.from(JSON.stringify({ by: 'dead', at: new Date(clock).toISOString(), expiresAt: new Date(clock + 1000).toISOString() })));
    expect(await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'early', 60_000, () => clock))).toEqual({ closed: false, why: 'held', reason: 'dead claimed its close at 2026-11-25T12:00:00.000Z until 2026-11-25T12:00:01.000Z' });
    clock += 2000;
    const late = await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'late', 60_000, () => clock));
    expect(late.closed && late.sentence).toMatch(/, taking over the close dead claimed at 2026-11-25T12:00:00.000Z \(expired at 2026-11-25T12:00:01.000Z\)$/);
  });

  it('a close that fails mid-publish gives its claim back; the retry finishes that publish and records the run', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    lakeStore.before = (operation, key) => {
      // After the journal: the first copy onto a final key fails.
      if (operation === 'copy' && key.startsWith('vehicle/')) throw new Error('S3 is down');
    };
    const deps = await closer(lakeStore, 'first');
    await expect(closeHour(cloudRunOf(lakeStore, record), deps)).rejects.toThrow('S3 is down');
    await expect(readdir(deps.scratchDir)).rejects.toThrow();
    expect(lakeStore.objects.has(closeClaimKey(record.runId))).toBe(false);
    lakeStore.before = undefined;
    const retried = await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'retry'));
    expect(retried.closed && retried.summary.events).toEqual({ vehicle: 24 });
    expect((await readLakeRun(lakeStore, hour.label, record.runId))?.summary?.events).toEqual({ vehicle: 24 });
    expect((await readHourManifest(lakeStore, hour.label))?.runId).toBe(record.runId);
    expect([...lakeStore.objects.keys()].filter((k) => k.startsWith('_staging/'))).toEqual([]);
  });

  it('a success recorded after the run\'s record ended meanwhile (a sweep, a newer fan-out) leaves the record and says so', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    const runs = new LakeRunStore(lakeStore);
    const summary = { objects: 6, bytes: 1, skipped: 0, events: { vehicle: 24 }, quarantined: 0, outputs: [], seconds: 1, quarantinedShare: 0 };
    await runs.end(record.runId, 'sweep', { status: 'failed', error: 'stale: queued since then' });
    expect(await recordSuccess(runs, record.runId, 'closer', summary)).toBe('; its record had already ended (failed: stale: queued since then) and was left as it was');
    expect((await runs.get(record.runId))?.status).toBe('failed');
    const other = await doneRun(new ConditionalMemoryStore());
    expect(await recordSuccess(new LakeRunStore(lakeStore), other.runId, 'closer', summary)).toBe('; its record had already ended (gone) and was left as it was');
  });

  it('a run replaced by a newer fan-out (its record failed) is not closed: nothing published, its claim given back', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    await writeLakeRun(lakeStore, { ...record, status: 'failed', error: 'replaced by run 2019-06-01T15-newer' });
    const outcome = await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'stale'));
    expect(outcome).toEqual({ closed: false, why: 'ended', reason: `run ${record.runId} has ended (failed); not closing it` });
    expect(await readHourManifest(lakeStore, hour.label)).toBeUndefined();
    expect(lakeStore.objects.has(closeClaimKey(record.runId))).toBe(false);
    expect((await readLakeRun(lakeStore, hour.label, record.runId))?.status).toBe('failed');
  });

  it('publishes exactly the plan\'s tasks: a staged task the plan does not list is left out and named', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    // t09999, staged as a message the plan never listed would have staged it: a copy of t00000 under its own id.
    const from = `_staging/${record.runId}/tasks/t00000/`;
    for (const key of lakeStore.keys(from)) await lakeStore.write(key.replace('/t00000/', '/t09999/'), lakeStore.objects.get(key)!.body);
    const marker = (lakeStore.text(`_staging/${record.runId}/done/t00000.json`) ?? '').replaceAll('t00000', 't09999');
    await lakeStore.write(`_staging/${record.runId}/done/t09999.json`, Buffer.from(marker));
    const outcome = await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'closer'));
    expect(outcome).toMatchObject({ closed: true, ignoredTasks: ['t09999'], summary: { events: { vehicle: 24 } } });
    expect(outcome.closed && outcome.sentence).toBe(`hour ${hour.label} published by run ${record.runId} from its 6 planned tasks; staged tasks t09999 are not in the plan and were left out`);
    const published = await readHourManifest(lakeStore, hour.label);
    expect(published?.partitions.find((p) => p.partition.startsWith('vehicle/'))?.files.map((f) => f.rows)).toEqual([24]);
    expect(lakeStore.keys('_staging/')).toEqual([]);
  });

  it('a planned task without its output: not ready, nothing published, the claim given back', async () => {
    const lakeStore = new ConditionalMemoryStore();
    const record = await doneRun(lakeStore);
    await lakeStore.delete(`_staging/${record.runId}/done/t00003.json`);
    const outcome = await closeHour(cloudRunOf(lakeStore, record), await closer(lakeStore, 'early'));
    expect(outcome).toEqual({ closed: false, why: 'not-ready', reason: `run ${record.runId} is not ready to close: 1 of its 6 planned tasks (t00003) have no outputs yet` });
    expect(await readHourManifest(lakeStore, hour.label)).toBeUndefined();
    expect(lakeStore.objects.has(closeClaimKey(record.runId))).toBe(false);
    expect((await readLakeRun(lakeStore, hour.label, record.runId))?.status).toBe('queued');
  });

  it('a stray object among the run records is named in one sentence', async () => {
    const lakeStore = new ConditionalMemoryStore();
    await lakeStore.write('_runs/2019-06-01T15/zzz.json', Buffer.from('garbage'));
    await expect(listLakeRuns(lakeStore)).rejects.toThrow('_runs/2019-06-01T15/zzz.json in memory://lake/ is not an eventlake run record; delete it');
  });
});
