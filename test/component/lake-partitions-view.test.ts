/**
 * The lake's partitions as the application layer lists them, in a folder and in a bucket (a
 * real S3 API, s3rver on loopback): files and bytes from the listing, rows from the runs that
 * wrote them, eventlake's own `_` tables and stray files left out, and small files flagged. A
 * run in a bucket also shows its quarantined lines, read through the object store.
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakePartitions } from '../../src/app/lake-partitions.js';
import { Orchestrator } from '../../src/app/orchestrator.js';
import { runDetail } from '../../src/app/run-detail.js';
import { runTimeline } from '../../src/app/run-timeline.js';
import { listFiles, runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { runsIn, testSettings } from '../helpers/in-process.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';

const HOURS = ['2019-06-01T15', '2019-06-01T16'];
let source: string;
const opened: Orchestrator[] = [];

async function open(state: string): Promise<Orchestrator> {
  const orchestrator = await Orchestrator.open(testSettings(state));
  opened.push(orchestrator);
  return orchestrator;
}

beforeAll(async () => {
  source = await tempDir();
  for (const hour of HOURS) expect((await runCli(['generate', '--out', source, '--hour', hour, '--vehicles', '3'])).code).toBe(0);
  await writeFile(join(source, '2019-06-01-15-7-7-events.json'), 'not json\n', { flag: 'a' });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
});

describe('a lake folder', () => {
  let lake: string;
  let state: string;

  beforeAll(async () => {
    lake = await tempDir();
    state = `${lake}-state`;
    for (const hour of HOURS) {
      expect((await runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', hour, '--layout', 'flat'])).code).toBe(0);
    }
  }, 60_000);

  it('lists entities by name and partitions newest first, with the rows their runs wrote and the bytes on disk', async () => {
    const view = await lakePartitions(await open(state), lake);
    expect(view.lake).toBe(lake);
    // The quarantine after the entities: browsable like them (the sample's bad line is in it).
    expect(view.entities.map((e) => e.entity)).toEqual(['operating_period', 'vehicle', '_quarantine']);
    expect(view.entities[2]).toMatchObject({ quarantine: true, uncounted: 0 });
    expect(view.entities[2]?.rows).toBeGreaterThan(0);
    const runs = await runsIn(state);
    for (const entity of view.entities.filter((e) => !e.quarantine)) {
      expect(entity.partitions.map((p) => p.partition)).toEqual([`${entity.entity}/date=2019-06-01/hour=16`, `${entity.entity}/date=2019-06-01/hour=15`]);
      for (const partition of entity.partitions) {
        const run = runs.find((r) => r.hour === `${partition.date}T${partition.hour}`);
        expect(partition.rows).toBe(run?.summary?.events[entity.entity]);
        const files = await listFiles(join(lake, partition.partition));
        expect(partition.files).toBe(files.length);
        let bytes = 0;
        for (const file of files) bytes += (await stat(file)).size;
        expect(partition.bytes).toBe(bytes);
        expect(partition.warning).toBeUndefined();
      }
      expect(entity.rows).toBe(entity.partitions.reduce((n, p) => n + (p.rows ?? 0), 0));
      expect(entity.bytes).toBe(entity.partitions.reduce((n, p) => n + p.bytes, 0));
    }
  });

  it('is the same lake written with a trailing slash or relative to the working folder', async () => {
    const orchestrator = await open(state);
    const plain = await lakePartitions(orchestrator, lake);
    expect(await lakePartitions(orchestrator, `${lake}/`)).toEqual(plain);
    expect(await lakePartitions(orchestrator, relative(process.cwd(), lake))).toEqual(plain);
  });

  it("leaves out eventlake's own tables, stray files and deeper folders; flags small files; forgets rows of a file someone replaced", async () => {
    const orchestrator = await open(state);
    expect((await readdir(lake)).sort()).toContain('_quarantine');
    await writeFile(join(lake, 'README.txt'), 'a note');
    await mkdir(join(lake, '_scratch/date=2019-06-01/hour=15'), { recursive: true });
    await writeFile(join(lake, '_scratch/date=2019-06-01/hour=15/x.parquet'), 'x');
    const partition = join(lake, 'vehicle/date=2019-06-01/hour=15');
    await mkdir(join(partition, 'nested'), { recursive: true });
    await writeFile(join(partition, 'nested/y.parquet'), 'y');
    const before = await lakePartitions(orchestrator, lake);
    expect(before.entities.map((e) => e.entity)).toEqual(['operating_period', 'vehicle', '_quarantine']);
    const vehicle15 = before.entities[1]?.partitions[1];
    expect(vehicle15).toMatchObject({ files: 1, rows: expect.any(Number) });

    // Two more files of the same size: three small files, rows unknown for the two no run wrote.
    const [part] = await readdir(partition, { withFileTypes: true }).then((entries) => entries.filter((e) => e.isFile()).map((e) => e.name));
    await copyFile(join(partition, part ?? ''), join(partition, 'extra-1.parquet'));
    await copyFile(join(partition, part ?? ''), join(partition, 'extra-2.parquet'));
    const after = await lakePartitions(orchestrator, lake);
    const flagged = after.entities[1]?.partitions[1];
    expect(flagged).toMatchObject({ files: 3, rows: null, bytes: (vehicle15?.bytes ?? 0) * 3 });
    expect(flagged?.warning).toBe(`3 files averaging ${((vehicle15?.bytes ?? 0) / 1024).toFixed(1)} KB: small files slow every query; a rerun of the hour merges them`);
    // The entity's total still counts the partitions whose rows are known, and says one is left out.
    expect(after.entities[1]?.partitions[0]?.rows).toEqual(expect.any(Number));
    expect(after.entities[1]).toMatchObject({ rows: after.entities[1]?.partitions[0]?.rows, uncounted: 1 });

    // The run's own file rewritten with other bytes: its rows are no longer known.
    const opPartition = join(lake, 'operating_period/date=2019-06-01/hour=16');
    const [opPart] = await readdir(opPartition);
    await writeFile(join(opPartition, opPart ?? ''), 'not the parquet the run wrote');
    const replaced = (await lakePartitions(orchestrator, lake)).entities[0]?.partitions[0];
    expect(replaced).toMatchObject({ files: 1, rows: null, bytes: 'not the parquet the run wrote'.length });
  });

  it('answers no entities for a lake that does not exist yet', async () => {
    const missing = join(await tempDir(), 'not-yet');
    expect(await lakePartitions(await open(state), missing)).toEqual({ lake: missing, entities: [] });
  });
});

describe('a lake in a bucket', () => {
  let s3: S3Server;
  let state: string;
  let restore: () => void;

  beforeAll(async () => {
    s3 = await startS3Server(['lake']);
    state = await tempDir();
    const result = await runCli(['run', '--source', source, '--lake', 's3://lake/tables/', '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat'], undefined, { ...s3.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    restore = s3.applyEnv();
  }, 120_000);

  afterAll(async () => {
    restore?.();
    await s3?.close();
  });

  it('lists its partitions through the object store, rows from the run', async () => {
    const orchestrator = await open(state);
    const view = await lakePartitions(orchestrator, 's3://lake/tables');
    expect(view.lake).toBe('s3://lake/tables/');
    const [run] = await runsIn(state);
    expect(view.entities.map((e) => [e.entity, e.partitions.map((p) => p.partition), e.rows])).toEqual([
      ['operating_period', ['operating_period/date=2019-06-01/hour=15'], run?.summary?.events['operating_period']],
      ['vehicle', ['vehicle/date=2019-06-01/hour=15'], run?.summary?.events['vehicle']],
      ['_quarantine', ['_quarantine/date=2019-06-01/hour=15'], run?.summary?.quarantined],
    ]);
    const outputs = run?.summary?.outputs ?? [];
    expect(view.entities.reduce((n, e) => n + e.bytes, 0)).toBe(outputs.reduce((n, o) => n + o.bytes, 0));
  });

  it("shows the run's quarantined line read from the bucket, and says the timeline needs a lake folder", async () => {
    const orchestrator = await open(state);
    const [run] = await runsIn(state);
    const detail = await runDetail(orchestrator, run?.id ?? '');
    expect(detail?.run.lake).toBe('s3://lake/tables/');
    expect(detail?.quarantine).toEqual({ total: 1, lines: [expect.objectContaining({ source_object: '2019-06-01-15-7-7-events.json', raw: 'not json' })] });
    await expect(runTimeline(orchestrator, run?.id ?? '')).rejects.toThrow(/wrote to a bucket: query the warehouse instead$/);
  });
});
