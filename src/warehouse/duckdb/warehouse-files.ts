/**
 * The embedded warehouse's files in the state folder, and how a build publishes one without
 * copying the warehouse.
 *
 * `warehouse.duckdb` is a symbolic link to one of two DuckDB files, `warehouse-a.duckdb` and
 * `warehouse-b.duckdb`. Readers open the link (DuckDB follows it, and keeps a writer's WAL beside
 * the file it points to); a build writes the other file, the spare, which is one build behind and
 * brought up to date from its own `_loaded_partitions`, then publishes it by renaming a new link
 * over the old one (rename(2): a reader opens the old file or the new one, never a half build).
 *
 * - A reader in another process still holding the spare makes DuckDB refuse to open it for
 *   writing ("Could not set lock", at once): the build unlinks that name (the reader keeps its
 *   open file, which the system frees when the reader closes it) and writes a copy of the
 *   published file under it. A reader in this process is known (warehouse-readers-here.ts) and
 *   treated the same way. That is the one case a build copies the warehouse.
 * - A build marks the spare `<file>.building` while it writes it. A failed build deletes the
 *   spare (its tables may be half updated); a build that died leaves the mark, and the next build
 *   deletes that spare. Either way the published file is untouched, and the next build starts
 *   from a copy of it.
 * - A state folder from before (a plain `warehouse.duckdb` file) is migrated by the first build:
 *   the file gets a second name, `warehouse-a.duckdb` (a hard link, nothing copied), and the link
 *   replaces the plain name in one rename.
 */
import { copyFile, link, lstat, open, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { WAREHOUSE_FILE } from '../console/warehouse-file.js';
import { readHere } from './warehouse-readers-here.js';

export const WAREHOUSE_SLOTS = ['warehouse-a.duckdb', 'warehouse-b.duckdb'] as const;

const BUILDING_MARK = '.building';

async function kindOf(path: string): Promise<'link' | 'file' | 'none'> {
  try {
    const stats = await lstat(path);
    return stats.isSymbolicLink() ? 'link' : 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/** The file readers open today (the link's target), or null when there is no warehouse yet. */
export async function publishedWarehouse(stateDir: string): Promise<string | null> {
  const name = join(stateDir, WAREHOUSE_FILE);
  const kind = await kindOf(name);
  if (kind === 'none') return null;
  if (kind === 'file') return resolve(name);
  const target = resolve(stateDir, await readlink(name));
  return existsSync(target) ? target : null;
}

async function removeDatabase(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

/** Points `warehouse.duckdb` at `file` (a name in the state folder) in one rename. */
async function pointAt(stateDir: string, file: string): Promise<void> {
  const next = join(stateDir, `${WAREHOUSE_FILE}.next`);
  await rm(next, { force: true });
  await symlink(basename(file), next);
  await rename(next, join(stateDir, WAREHOUSE_FILE));
  // The rename itself durable, so a crash after the build returns does not bring the old one back.
  const dir = await open(stateDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** A plain `warehouse.duckdb` (the layout before the link) becomes `warehouse-a.duckdb` behind the link. */
export async function migrateWarehouseLayout(stateDir: string): Promise<void> {
  const plain = join(stateDir, WAREHOUSE_FILE);
  // The copy a build of the old layout was writing when it died.
  await removeDatabase(`${plain}.building`);
  if ((await kindOf(plain)) !== 'file') return;
  const slot = join(stateDir, WAREHOUSE_SLOTS[0]);
  await removeDatabase(slot);
  await rm(`${slot}${BUILDING_MARK}`, { force: true });
  await link(plain, slot);
  // A WAL beside the plain file belongs to it: DuckDB looks for it beside the file the link names.
  if (existsSync(`${plain}.wal`)) await link(`${plain}.wal`, `${slot}.wal`);
  await pointAt(stateDir, slot);
  await rm(`${plain}.wal`, { force: true });
}

const lockRefused = (err: unknown): boolean => /Could not set lock/i.test(err instanceof Error ? err.message : String(err));

export interface SpareWarehouse {
  /** The file being written. */
  readonly file: string;
  readonly instance: DuckDBInstance;
  /** After the instance is closed: the spare becomes the warehouse readers open. */
  publish(): Promise<void>;
  /** After the instance is closed: the spare is deleted; the published warehouse stays. */
  discard(): Promise<void>;
}

/**
 * Opens the spare for writing: the slot not published, brought to a state the build can update
 * (a copy of the published file when it is missing, was left by a failed build, or is still
 * open in a reader). With no warehouse at all it is a new, empty file.
 */
export async function openSpareWarehouse(stateDir: string): Promise<SpareWarehouse> {
  await migrateWarehouseLayout(stateDir);
  const published = await publishedWarehouse(stateDir);
  const spareName = WAREHOUSE_SLOTS.find((slot) => published === null || basename(published) !== slot) ?? WAREHOUSE_SLOTS[0];
  const file = join(stateDir, spareName);
  const mark = `${file}${BUILDING_MARK}`;
  if (existsSync(mark) || readHere(stateDir, file)) await removeDatabase(file);
  const fresh = async (): Promise<void> => {
    await removeDatabase(file);
    if (published !== null) await copyFile(published, file);
  };
  if (!existsSync(file)) await fresh();
  await writeFile(mark, '');
  const create = (): Promise<DuckDBInstance> => duckdb.DuckDBInstance.create(file, { autoinstall_known_extensions: 'false' });
  let instance: DuckDBInstance;
  try {
    instance = await create();
  } catch (err) {
    if (!lockRefused(err)) throw err;
    // A reader elsewhere still has the spare open: it keeps that file; the build writes a new one.
    await fresh();
    instance = await create();
  }
  return {
    file,
    instance,
    async publish() {
      await rm(mark, { force: true });
      await pointAt(stateDir, file);
    },
    async discard() {
      await removeDatabase(file);
      await rm(mark, { force: true });
    },
  };
}
