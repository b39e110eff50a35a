/** Publishing on a local lake: swaps whole partitions, and a crash is finished by the hour's next run. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PublishOrderError } from '../../src/storage/errors.js';
import { LocalPublisher } from '../../src/storage/local/local-publisher.js';
import { tempDir } from '../helpers/fixtures.js';

const VEHICLE = 'vehicle/date=2019-06-01/hour=15';
const QUARANTINE = '_quarantine/date=2019-06-01/hour=15';

async function scratchPart(dir: string, content: string): Promise<{ name: string; file: string; rows: number; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${content}.tmp`);
  await writeFile(file, content);
  return { name: 'part-00000.parquet', file, rows: 1, bytes: Buffer.byteLength(content) };
}

describe('LocalPublisher', () => {
  it('swaps a partition in, removes one the run has no parts for, and reports keys, not paths', async () => {
    const lake = await tempDir();
    const publisher = new LocalPublisher(lake);
    await mkdir(join(lake, QUARANTINE), { recursive: true });
    await writeFile(join(lake, QUARANTINE, 'part-00000.jsonl'), 'old');
    const part = await scratchPart(join(lake, '_staging/2019-06-01T15-a/work'), 'one');
    const published = await publisher.publish('2019-06-01T15-a', [
      { partition: VEHICLE, parts: [part] },
      { partition: QUARANTINE, parts: [] },
    ]);
    expect(published).toEqual([
      { partition: VEHICLE, files: [{ key: `${VEHICLE}/part-00000.parquet`, rows: 1, bytes: 3 }] },
      { partition: QUARANTINE, files: [] },
    ]);
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('one');
    expect(existsSync(join(lake, QUARANTINE))).toBe(false);
    expect(existsSync(join(lake, '_staging'))).toBe(false);
  });

  it('finishes a publish interrupted after its journal, and clears abandoned staging of the hour only', async () => {
    const lake = await tempDir();
    const publisher = new LocalPublisher(lake);
    await publisher.publish('2019-06-01T15-a', [{ partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch'), 'old')] }]);
    // The crash: parts staged, journal written, the old partition moved aside, nothing more.
    await mkdir(join(lake, '_staging/2019-06-01T15-b/new', VEHICLE), { recursive: true });
    await writeFile(join(lake, '_staging/2019-06-01T15-b/new', VEHICLE, 'part-00000.parquet'), 'new');
    await writeFile(join(lake, '_staging/2019-06-01T15-b/publish.json'), JSON.stringify({ changes: [{ partition: VEHICLE, staged: true }] }));
    await mkdir(join(lake, '_staging/2019-06-01T15-b/old/vehicle/date=2019-06-01'), { recursive: true });
    await rename(join(lake, VEHICLE), join(lake, '_staging/2019-06-01T15-b/old', VEHICLE));
    // A run of the same hour that died before publishing, and a live run of another hour.
    await mkdir(join(lake, '_staging/2019-06-01T15-c/work'), { recursive: true });
    await mkdir(join(lake, '_staging/2019-06-01T16-d/work'), { recursive: true });

    await publisher.recover('2019-06-01T15');
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('new');
    expect(existsSync(join(lake, '_staging/2019-06-01T15-b'))).toBe(false);
    expect(existsSync(join(lake, '_staging/2019-06-01T15-c'))).toBe(false);
    // Recovery of hour 15 never touches hour 16's run, alive or not: that is hour 16's lease holder's business.
    expect(existsSync(join(lake, '_staging/2019-06-01T16-d/work'))).toBe(true);
  });

  it('abandons a run without touching the published partition', async () => {
    const lake = await tempDir();
    const publisher = new LocalPublisher(lake);
    await publisher.publish('2019-06-01T15-a', [{ partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch'), 'kept')] }]);
    await mkdir(join(lake, '_staging/2019-06-01T15-b/work'), { recursive: true });
    await publisher.abandon('2019-06-01T15-b');
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('kept');
    expect(existsSync(join(lake, '_staging'))).toBe(false);
  });

  it('refuses a plan older than the one the hour holds, before moving anything; a newer plan publishes', async () => {
    const lake = await tempDir();
    const publisher = new LocalPublisher(lake);
    await publisher.publish('2019-06-01T15-newer', [{ partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch'), 'newer')] }], {
      plannedAt: '2019-06-01T16:10:00.000Z',
    });
    const old = await scratchPart(join(lake, 'scratch-old'), 'older');
    const refused = publisher.publish('2019-06-01T15-older', [{ partition: VEHICLE, parts: [old] }], { plannedAt: '2019-06-01T16:05:00.000Z' });
    await expect(refused).rejects.toThrow(PublishOrderError);
    await expect(refused).rejects.toThrow(
      'run 2019-06-01T15-older was not published: its plan of hour 2019-06-01T15 (2019-06-01T16:05:00.000Z) is older than that of run 2019-06-01T15-newer (2019-06-01T16:10:00.000Z), whose publish the lake holds, and publishing it would roll the hour back; run the hour again to read its sources anew',
    );
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('newer');
    expect(existsSync(old.file)).toBe(true);
    expect(existsSync(join(lake, '_staging'))).toBe(false);
    // A journal of the older plan left by a crash (written before the newer publish) is rolled back, not applied.
    await mkdir(join(lake, '_staging/2019-06-01T15-older/new', VEHICLE), { recursive: true });
    await writeFile(join(lake, '_staging/2019-06-01T15-older/new', VEHICLE, 'part-00000.parquet'), 'older');
    await writeFile(
      join(lake, '_staging/2019-06-01T15-older/publish.json'),
      JSON.stringify({ plannedAt: '2019-06-01T16:05:00.000Z', changes: [{ partition: VEHICLE, staged: true, inode: String((await stat(join(lake, '_staging/2019-06-01T15-older/new', VEHICLE), { bigint: true })).ino) }] }),
    );
    expect((await publisher.recover('2019-06-01T15')).map((r) => r.outcome)).toEqual(['rolled-back']);
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('newer');
    // A plan as new or newer replaces the hour.
    await publisher.publish('2019-06-01T15-newest', [{ partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch-3'), 'newest')] }], {
      plannedAt: '2019-06-01T16:20:00.000Z',
    });
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('newest');
  });

  it('rolls back a journal whose staged parts are gone, putting back what it had swapped; the rerun then publishes', async () => {
    const lake = await tempDir();
    const publisher = new LocalPublisher(lake);
    await publisher.publish('2019-06-01T15-a', [
      { partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch'), 'old')] },
      { partition: QUARANTINE, parts: [await scratchPart(join(lake, 'scratch-q'), 'q-old')] },
    ]);
    // Run b crashed between its two partitions: vehicle swapped (a's aside), the quarantine not yet;
    // then its staged quarantine went (removed by hand, a cleaner).
    const b = '_staging/2019-06-01T15-b';
    const inode = async (dir: string): Promise<string> => String((await stat(join(lake, dir), { bigint: true })).ino);
    for (const [partition, content] of [[VEHICLE, 'new'], [QUARANTINE, 'q-new']] as const) {
      await mkdir(join(lake, b, 'new', partition), { recursive: true });
      await writeFile(join(lake, b, 'new', partition, 'part-00000.parquet'), content);
    }
    await writeFile(
      join(lake, b, 'publish.json'),
      JSON.stringify({
        changes: [
          { partition: VEHICLE, staged: true, inode: await inode(`${b}/new/${VEHICLE}`) },
          { partition: QUARANTINE, staged: true, inode: await inode(`${b}/new/${QUARANTINE}`) },
        ],
      }),
    );
    await mkdir(join(lake, b, 'old/vehicle/date=2019-06-01'), { recursive: true });
    await rename(join(lake, VEHICLE), join(lake, b, 'old', VEHICLE));
    await rename(join(lake, b, 'new', VEHICLE), join(lake, VEHICLE));
    await rm(join(lake, b, 'new'), { recursive: true, force: true });

    expect(await publisher.recover('2019-06-01T15')).toEqual([
      {
        runId: '2019-06-01T15-b',
        outcome: 'rolled-back',
        message: `run 2019-06-01T15-b's interrupted publish of hour 2019-06-01T15 was rolled back, not finished: the staged parts of ${QUARANTINE} are gone, so the partitions it had replaced were put back and the hour is run again from its sources`,
      },
    ]);
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('old');
    expect(await readFile(join(lake, QUARANTINE, 'part-00000.parquet'), 'utf8')).toBe('q-old');
    expect(existsSync(join(lake, '_staging'))).toBe(false);
    expect(await publisher.recover('2019-06-01T15')).toEqual([]);
    // The hour's rerun publishes as usual.
    await publisher.publish('2019-06-01T15-c', [
      { partition: VEHICLE, parts: [await scratchPart(join(lake, 'scratch-c'), 'rerun')] },
      { partition: QUARANTINE, parts: [] },
    ]);
    expect(await readFile(join(lake, VEHICLE, 'part-00000.parquet'), 'utf8')).toBe('rerun');
    expect(existsSync(join(lake, QUARANTINE))).toBe(false);
  });
});
