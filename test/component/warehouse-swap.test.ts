/**
 * How a build publishes the embedded warehouse: `warehouse.duckdb` links to one of two files, a
 * build writes the other and swaps the link. Readers are real processes holding a file open.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { lstat, mkdir, readdir, readlink, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { duckdb } from '../../src/duckdb/duckdb-api.js';
import { openEmbeddedWarehouse } from '../../src/warehouse/embedded-warehouse-registry.js';
import type { WarehouseBuildReport } from '../../src/warehouse/embedded-warehouse.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { loadModels } from '../../src/warehouse/model-graph.js';
import { runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/processes.js';

const HOUR_DIR = 'vehicle/date=2019-06-01/hour=15';
const OBSERVE = `SELECT (SELECT count(*) FROM vehicle) AS vehicles,
  (SELECT coalesce(string_agg(key, ',' ORDER BY key), '') FROM _loaded_partitions) AS partitions,
  (SELECT count(*) FROM fact_vehicle_location) AS locations,
  (SELECT count(*) FROM dim_vehicle) AS dim_vehicles`;

/** A reader as another program would be one: a process with DuckDB opening the warehouse read-only. */
const READER = `
const { DuckDBInstance } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@duckdb/node-api'))});
const [file, mode, sql] = process.argv.slice(2);
const answer = async (connection) => JSON.stringify((await connection.runAndReadAll(sql)).getRowObjectsJson()[0]);
(async () => {
  if (mode === 'hold') {
    // Opens once and keeps the file open; answers again on every line read.
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    process.stdout.write('ready ' + (await answer(connection)) + '\\n');
    process.stdin.on('data', async () => process.stdout.write('again ' + (await answer(connection)) + '\\n'));
    return;
  }
  // poll: opens, reads, closes, over and over until stdin closes.
  let open = true;
  process.stdin.on('end', () => (open = false));
  process.stdin.resume();
  while (open) {
    try {
      const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
      const connection = await instance.connect();
      process.stdout.write('seen ' + (await answer(connection)) + '\\n');
      connection.closeSync();
      instance.closeSync();
    } catch (err) {
      process.stdout.write('error ' + JSON.stringify(String(err.message)) + '\\n');
    }
    await new Promise((r) => setImmediate(r));
  }
  process.exit(0);
})();
`;

interface ReaderProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
}

const readers: ReaderProcess[] = [];
afterEach(() => {
  for (const r of readers.splice(0)) r.child.kill('SIGKILL');
});

async function startReader(state: string, mode: 'hold' | 'poll'): Promise<ReaderProcess> {
  const script = join(state, '..', `reader-${mode}.cjs`);
  await writeFile(script, READER);
  const child = spawn(process.execPath, [script, join(state, 'warehouse.duckdb'), mode, OBSERVE]);
  const reader: ReaderProcess = { child, lines: [] };
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    reader.lines.push(...parts);
  });
  readers.push(reader);
  if (mode === 'hold') await waitFor('the reader to open the warehouse', () => reader.lines.some((l) => l.startsWith('ready ')));
  return reader;
}

/** What a reader that opens the published warehouse now sees. */
async function observe(state: string): Promise<string> {
  const instance = await duckdb.DuckDBInstance.create(join(state, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const row = JSON.stringify((await connection.runAndReadAll(OBSERVE)).getRowObjectsJson()[0]);
    connection.closeSync();
    return row;
  } finally {
    instance.closeSync();
  }
}

async function sampleLake(): Promise<{ lake: string; state: string; aside: string }> {
  const root = await tempDir();
  const lake = join(root, 'lake');
  const state = join(root, 'state');
  expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
  const aside = join(root, 'aside');
  await mkdir(aside);
  return { lake, state, aside };
}

/** The sample's vehicle hour taken out of the lake, or put back (a rename: its files' signatures stay). */
async function vehicleHour(lake: string, aside: string, present: boolean): Promise<void> {
  if (present) await rename(join(aside, 'hour=15'), join(lake, HOUR_DIR));
  else await rename(join(lake, HOUR_DIR), join(aside, 'hour=15'));
}

async function build(state: string, lake: string): Promise<WarehouseBuildReport> {
  return (await openEmbeddedWarehouse()).build({ stateDir: state, lakeRoot: lake, models: loadModels(modelsDir()) });
}

async function published(state: string): Promise<string> {
  expect((await lstat(join(state, 'warehouse.duckdb'))).isSymbolicLink()).toBe(true);
  return readlink(join(state, 'warehouse.duckdb'));
}

/** The state folder's warehouse files, without the lock, the runs' database and the lineage. */
async function warehouseFiles(state: string): Promise<string[]> {
  return (await readdir(state)).filter((f) => f.startsWith('warehouse')).sort();
}

describe('a build publishes the spare of two files behind the warehouse.duckdb link', () => {
  it('runs two builds while a reader process holds the published file; the reader keeps reading its build', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    expect(await published(state)).toBe('warehouse-a.duckdb');
    const withHour = await observe(state);
    const holder = await startReader(state, 'hold');
    expect(holder.lines[0]).toBe(`ready ${withHour}`);

    await vehicleHour(lake, aside, false);
    const second = await build(state, lake);
    expect(second.removed).toEqual([HOUR_DIR]);
    expect(await published(state)).toBe('warehouse-b.duckdb');
    const withoutHour = await observe(state);
    expect(withoutHour).not.toBe(withHour);

    // The spare is now the file the reader holds: DuckDB refuses it a writer, so the build writes a new file under its name.
    const heldInode = (await stat(join(state, 'warehouse-a.duckdb'))).ino;
    await vehicleHour(lake, aside, true);
    const third = await build(state, lake);
    expect(third.loaded).toEqual([HOUR_DIR]);
    expect(await published(state)).toBe('warehouse-a.duckdb');
    expect((await stat(join(state, 'warehouse-a.duckdb'))).ino).not.toBe(heldInode);
    expect(await observe(state)).toBe(withHour);

    holder.child.stdin.write('\n');
    await waitFor('the reader to answer again', () => holder.lines.length > 1);
    expect(holder.lines[1]).toBe(`again ${withHour}`);
    expect(await warehouseFiles(state)).toEqual(['warehouse-a.duckdb', 'warehouse-b.duckdb', 'warehouse.duckdb']);
  });

  it('never writes the file a reader in the build’s own process holds', async () => {
    const { lake, state, aside } = await sampleLake();
    const warehouse = await openEmbeddedWarehouse();
    await build(state, lake);
    const reader = await warehouse.openReader(state);
    const before = await reader.query('SELECT count(*) AS n FROM vehicle');
    const heldInode = (await stat(join(state, 'warehouse-a.duckdb'))).ino;
    await vehicleHour(lake, aside, false);
    await build(state, lake);
    await vehicleHour(lake, aside, true);
    await build(state, lake);
    // DuckDB gives no lock error inside one process: the build knew, and wrote a new file.
    expect((await stat(join(state, 'warehouse-a.duckdb'))).ino).not.toBe(heldInode);
    expect(await reader.query('SELECT count(*) AS n FROM vehicle')).toEqual(before);
    reader.close();
  });

  it('lets readers see only complete builds while builds come and go', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    const withHour = await observe(state);
    await vehicleHour(lake, aside, false);
    await build(state, lake);
    const withoutHour = await observe(state);
    const poller = await startReader(state, 'poll');
    await waitFor('the first reads', () => poller.lines.length > 2);
    for (const present of [true, false, true, false, true]) {
      await vehicleHour(lake, aside, present);
      await build(state, lake);
      expect(await observe(state)).toBe(present ? withHour : withoutHour);
    }
    const seen = poller.lines.length;
    await waitFor('reads after the last build', () => poller.lines.length > seen + 2);
    poller.child.stdin.end();
    const observed = new Set(poller.lines);
    expect([...observed].filter((l) => l !== `seen ${withHour}` && l !== `seen ${withoutHour}`)).toEqual([]);
    expect(poller.lines.at(-1)).toBe(`seen ${withHour}`);
  });

  it('leaves the last good warehouse published when a build fails, and builds from it after', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    const good = await observe(state);
    // An hour whose Parquet file is damaged: the load fails part way.
    const damaged = join(lake, 'vehicle/date=2019-06-01/hour=16');
    await mkdir(damaged, { recursive: true });
    await writeFile(join(damaged, 'part-00000.parquet'), 'not parquet at all');
    await expect(build(state, lake)).rejects.toThrow(/parquet/i);
    expect(await published(state)).toBe('warehouse-a.duckdb');
    expect(await observe(state)).toBe(good);
    expect(await warehouseFiles(state)).toEqual(['warehouse-a.duckdb', 'warehouse.duckdb']);

    await rm(damaged, { recursive: true, force: true });
    await vehicleHour(lake, aside, false);
    const next = await build(state, lake);
    expect(next.removed).toEqual([HOUR_DIR]);
    expect(await published(state)).toBe('warehouse-b.duckdb');
  });

  it('throws away the spare a build that died left behind', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    // A build that died half way: its mark and a spare that is not a database at all.
    await writeFile(join(state, 'warehouse-b.duckdb'), 'half written');
    await writeFile(join(state, 'warehouse-b.duckdb.building'), '');
    await vehicleHour(lake, aside, false);
    const next = await build(state, lake);
    expect(next.removed).toEqual([HOUR_DIR]);
    expect(await published(state)).toBe('warehouse-b.duckdb');
    expect(await warehouseFiles(state)).toEqual(['warehouse-a.duckdb', 'warehouse-b.duckdb', 'warehouse.duckdb']);
  });

  it('migrates a plain warehouse.duckdb on the first build, losing nothing, while a reader holds it', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    const old = await observe(state);
    // The layout before the link: one plain file.
    await copyFile(join(state, 'warehouse-a.duckdb'), join(state, 'plain'));
    for (const f of await warehouseFiles(state)) await rm(join(state, f));
    await rename(join(state, 'plain'), join(state, 'warehouse.duckdb'));
    // And the copy an old-layout build was writing when it died.
    await writeFile(join(state, 'warehouse.duckdb.building'), 'half a copy');
    const oldInode = (await stat(join(state, 'warehouse.duckdb'))).ino;
    const holder = await startReader(state, 'hold');

    await vehicleHour(lake, aside, false);
    const next = await build(state, lake);
    // Built on from the old file: only the hour taken out changed.
    expect(next.loaded).toEqual([]);
    expect(next.removed).toEqual([HOUR_DIR]);
    expect(await published(state)).toBe('warehouse-b.duckdb');
    expect((await stat(join(state, 'warehouse-a.duckdb'))).ino).toBe(oldInode);
    expect(await warehouseFiles(state)).toEqual(['warehouse-a.duckdb', 'warehouse-b.duckdb', 'warehouse.duckdb']);
    holder.child.stdin.write('\n');
    await waitFor('the reader to answer again', () => holder.lines.length > 1);
    expect(holder.lines[1]).toBe(`again ${old}`);
  });
});

describe('a build with nothing changed', () => {
  it('says so and writes nothing, and builds again when the lake or the models change', async () => {
    const { lake, state, aside } = await sampleLake();
    await build(state, lake);
    const files = async (): Promise<string[]> =>
      Promise.all((await readdir(state)).filter((f) => f.startsWith('warehouse')).map(async (f) => `${f} ${(await lstat(join(state, f))).ino} ${(await lstat(join(state, f))).mtimeMs}`));
    const before = await files();
    const same = await build(state, lake);
    expect(same).toMatchObject({ unchanged: true, loaded: [], removed: [] });
    expect(same.models.length).toBeGreaterThan(0);
    expect(new Set(same.models.map((m) => m.build))).toEqual(new Set(['unchanged']));
    expect(same.tables['vehicle']).toBeGreaterThan(0);
    expect(await files()).toEqual(before);

    const cli = await runCli(['warehouse', 'build', '--lake', lake, '--state', state, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ unchanged: true, loaded: [] });
    const line = await runCli(['warehouse', 'build', '--lake', lake, '--state', state]);
    expect(line.stdout.split('\n')[0]).toMatch(/: unchanged \(nothing in the lake or the models changed since the last build; --full-refresh rebuilds it\), in [\d.]+ s$/);

    const models = loadModels(modelsDir());
    const changedModels = models.map((m) => (m.name === 'dim_time' ? { ...m, sql: `${m.sql}\n-- a comment changes the model set` } : m));
    const rebuilt = await (await openEmbeddedWarehouse()).build({ stateDir: state, lakeRoot: lake, models: changedModels });
    expect(rebuilt).toMatchObject({ unchanged: false });
    expect(rebuilt.models.length).toBeGreaterThan(0);

    await vehicleHour(lake, aside, false);
    expect(await build(state, lake)).toMatchObject({ unchanged: false, removed: [HOUR_DIR] });
  });
});
