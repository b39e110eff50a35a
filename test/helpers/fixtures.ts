/** Test fixtures: temporary folders, the shared real sample, and the built CLI. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { openDuckDb } from '../../src/duckdb/open-duckdb.js';

export const SAMPLE = resolve('../shared/data/door2door-sample');
export const SAMPLE_HOUR = '2019-06-01T15';
export const CLI = resolve('dist/src/cli/main.js');

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh folder removed after the test file. */
export async function tempDir(label = 'eventlake-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), label));
  made.push(dir);
  return dir;
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The sample laid out flat, like the original bucket. */
export async function flatSample(): Promise<string> {
  const dir = await tempDir('eventlake-flat-');
  for (const file of await listFiles(SAMPLE)) {
    if (file.endsWith('-events.txt')) await copyFile(file, join(dir, basename(file)));
  }
  return dir;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would: `node dist/src/cli/main.js …`. */
export function runCli(args: readonly string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: cwd ?? process.cwd(), env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** Rows of a DuckDB query, values as JSON-friendly strings/numbers. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDuckDb();
  try {
    const reader = await db.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.closeSync();
  }
}

/** Records of an Avro file as read by avro-c's avrocat, an independent reader. */
export function avrocat(file: string): Record<string, unknown>[] {
  const result = spawnSync('avrocat', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw new Error(`avrocat could not run (apt-get install avro-bin): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`avrocat failed on ${file}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function writeObject(dir: string, key: string, content: string | Buffer): Promise<void> {
  const path = join(dir, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}
