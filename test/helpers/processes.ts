/** Helpers for tests of long-running work: CLI processes left running, polling with a deadline, small hours of events. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CLI, writeObject } from './fixtures.js';

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: { stdout: string; stderr: string };
  /** The exit code (or -1 when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI without waiting for it. */
export function startCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: cwd ?? process.cwd(), env: { ...process.env, FORCE_COLOR: '0', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal }));
  });
  return { child, out, exited };
}

/** Polls `check` until it answers something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves with the exit, or undefined when the process is still running after `ms`. */
export function exitWithin(running: Running, ms: number): Promise<{ code: number; signal: NodeJS.Signals | null } | undefined> {
  return Promise.race([running.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

/** The JSON lines of a file a command callback appends to; none when it does not exist yet. */
export async function jsonLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const vehicleLine = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T18:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org' });

/** `objects` objects of `lines` valid vehicle lines each for the hour `2019-06-01T15`-style label; returns the rows written. */
export async function writeSmallHour(source: string, hour: string, objects: number, lines: number, tag = 'a'): Promise<number> {
  const [date, hh] = [hour.slice(0, 10), hour.slice(11, 13)];
  for (let s = 0; s < objects; s++) {
    const body = Array.from({ length: lines }, (_, i) => vehicleLine(`${tag}-${s}-${i}`));
    await writeObject(source, `${date}-${hh}-0-${s}-events.json`, `${body.join('\n')}\n`);
  }
  return objects * lines;
}

/** A shell command that appends its stdin to `file` (quoted for /bin/sh). */
export function appendTo(file: string): string {
  return `cat >> '${file.replace(/'/g, `'\\''`)}'`;
}
