/** Publishing on a local lake: swaps whole partitions, and a crash is finished by the hour's next run. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
