/** Test fixtures: temporary folders, the shared real sample, and the built CLI. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { QuarantineRecord } from '../../src/pipeline/quarantine-writer.js';
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

/**
 * Runs the program as `eventlake …` would, in this test's own process: `main()` with its output
 * captured (so coverage sees the commands, and no Node start-up is paid per call). A command
 * given a working folder, or a fail point that kills the process, runs as a process instead;
 * tests about the process itself call `runCliProcess`.
 */
export function runCli(args: readonly string[], cwd?: string, env: Record<string, string> = {}): Promise<CliResult> {
  if (cwd !== undefined || 'EVENTLAKE_CRASH_AT' in env) return runCliProcess(args, cwd, env);
  const run = inProcessQueue.then(() => runInProcess(args, env));
  inProcessQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/** One in-process command at a time: output capture and the environment are the process's own. */
let inProcessQueue: Promise<void> = Promise.resolve();

async function runInProcess(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const { main } = await import('../../src/cli/program.js');
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries({ FORCE_COLOR: '0', ...env })) {
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  let stdout = '';
  let stderr = '';
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  process.stdout.write = capture((t) => (stdout += t)) as typeof process.stdout.write;
  process.stderr.write = capture((t) => (stderr += t)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exitCode = undefined;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Runs the built CLI as a process, as a user would: `node dist/src/cli/main.js …`. */
export function runCliProcess(args: readonly string[], cwd?: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: cwd ?? process.cwd(), env: { ...process.env, FORCE_COLOR: '0', ...env } });
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

/** Rows of a table in one lake and not the other, both ways (a multiset difference): 0 when the two hold the same rows. */
export async function differentRows(a: string, b: string, table: string): Promise<number> {
  const glob = (lake: string): string => `read_parquet('${join(lake, table)}/*/*/*.parquet')`;
  const [row] = await query(`SELECT (SELECT count(*) FROM (SELECT * FROM ${glob(a)} EXCEPT ALL SELECT * FROM ${glob(b)})) + (SELECT count(*) FROM (SELECT * FROM ${glob(b)} EXCEPT ALL SELECT * FROM ${glob(a)})) AS n`);
  return Number(row?.['n']);
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

/** Runs one object of `lines` through `eventlake run` into a fresh lake; the run must succeed. */
export async function runLines(format: string, lines: readonly string[], hour = '2019-06-01T15'): Promise<{ lake: string; summary: unknown }> {
  const source = await tempDir();
  const lake = await tempDir();
  await writeObject(source, `${hour.slice(0, 10)}-${hour.slice(11, 13)}-0-0-events.json`, `${lines.join('\n')}\n`);
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', hour, '--format', format, '--json', '--state', `${lake}-s`]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return { lake, summary: JSON.parse(result.stdout) };
}

/** Every Avro record under `dir`, read by avrocat, in line order. */
export function avroRecords(dir: string): Promise<Record<string, unknown>[]> {
  return listFiles(dir).then((all) =>
    all
      .filter((f) => f.endsWith('.avro'))
      .flatMap((f) => avrocat(f))
      .sort((a, b) => Number(a['source_line']) - Number(b['source_line'])),
  );
}

/** The lake's quarantine as [line, reason] pairs, in line order. */
export async function quarantinedLines(lake: string): Promise<[number, string][]> {
  const files = (await listFiles(`${lake}/_quarantine`)).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QuarantineRecord)
    .sort((a, b) => a.source_line - b.source_line)
    .map((q) => [q.source_line, q.reason]);
}
