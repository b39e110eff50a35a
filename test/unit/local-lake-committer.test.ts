import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalLakeCommitter } from '../../src/storage/local-lake-committer.js';
import { tempDir } from '../helpers/fixtures.js';

const PARTITION = 'vehicle/date=2019-06-01/hour=15';

async function stage(committer: LocalLakeCommitter, runId: string, content: string): Promise<void> {
  await committer.begin(runId, `hour-of-${runId}`);
  const dir = join(committer.stagingDir(runId), PARTITION);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'part-00000.parquet'), content);
}

describe('LocalLakeCommitter', () => {
  it('swaps a partition and removes one the run did not produce', async () => {
    const lake = await tempDir();
    const committer = new LocalLakeCommitter(lake);
    await mkdir(join(lake, '_quarantine/date=2019-06-01/hour=15'), { recursive: true });
    await writeFile(join(lake, '_quarantine/date=2019-06-01/hour=15/part-00000.jsonl'), 'old');
    await stage(committer, 'r1', 'one');
    await committer.commit('r1', [
      { partition: PARTITION, staged: true },
      { partition: '_quarantine/date=2019-06-01/hour=15', staged: false },
    ]);
    expect(await readFile(join(lake, PARTITION, 'part-00000.parquet'), 'utf8')).toBe('one');
    expect(existsSync(join(lake, '_quarantine/date=2019-06-01/hour=15'))).toBe(false);
    expect(existsSync(join(lake, '_staging/r1'))).toBe(false);
  });

  it('finishes a commit interrupted by a crash', async () => {
    const lake = await tempDir();
    const committer = new LocalLakeCommitter(lake);
    await stage(committer, 'r1', 'old');
    await committer.commit('r1', [{ partition: PARTITION, staged: true }]);
    await stage(committer, 'r2', 'new');
    // The crash: the journal was written and the old partition moved aside, nothing more.
    await writeFile(join(lake, '_staging/r2/commit.json'), JSON.stringify({ changes: [{ partition: PARTITION, staged: true }] }));
    await mkdir(join(lake, '_staging/r2/old/vehicle/date=2019-06-01'), { recursive: true });
    await rename(join(lake, PARTITION), join(lake, '_staging/r2/old', PARTITION));

    // While the committing process is alive, another process's recovery must not touch it.
    await writeFile(join(lake, '_staging/r2/owner.json'), JSON.stringify({ pid: process.ppid }));
    await new LocalLakeCommitter(lake).recover();
    expect(existsSync(join(lake, PARTITION))).toBe(false);
    // Once it is dead, the next run finishes its commit.
    await writeFile(join(lake, '_staging/r2/owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    await new LocalLakeCommitter(lake).recover();
    expect(await readFile(join(lake, PARTITION, 'part-00000.parquet'), 'utf8')).toBe('new');
    expect(existsSync(join(lake, '_staging'))).toBe(false);
  });

  it('clears abandoned staging but leaves a live run alone', async () => {
    const lake = await tempDir();
    const committer = new LocalLakeCommitter(lake);
    await stage(committer, 'dead', 'x');
    await writeFile(join(lake, '_staging/dead/owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    await stage(committer, 'live', 'y');
    await writeFile(join(lake, '_staging/live/owner.json'), JSON.stringify({ pid: process.ppid }));
    await committer.recover();
    expect(existsSync(join(lake, '_staging/dead'))).toBe(false);
    expect(existsSync(join(lake, '_staging/live'))).toBe(true);
    expect(existsSync(join(lake, PARTITION))).toBe(false);
  });

  it('lets one run at a time hold an hour, and takes over a dead run\'s lock', async () => {
    const lake = await tempDir();
    const committer = new LocalLakeCommitter(lake);
    await mkdir(join(lake, '_locks'), { recursive: true });
    await writeFile(join(lake, '_locks/2019-06-01T15.lock'), JSON.stringify({ pid: process.ppid, runId: 'other' }));
    await expect(committer.begin('r1', '2019-06-01T15')).rejects.toThrow(
      `hour 2019-06-01T15 is being processed by another run (process ${process.ppid}); wait for it to finish`,
    );
    await committer.begin('r2', '2019-06-01T16');
    await writeFile(join(lake, '_locks/2019-06-01T15.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, runId: 'dead' }));
    await committer.begin('r4', '2019-06-01T15');
    await committer.commit('r4', []);
    await committer.abort('r2');
    expect(existsSync(join(lake, '_locks/2019-06-01T15.lock'))).toBe(false);
    expect(existsSync(join(lake, '_locks'))).toBe(false);
  });
});
