/** Helpers for tests of long-running work: CLI processes left running, polling with a deadline, small hours of events. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { afterAll } from 'vitest';
import { CLI, writeObject } from './fixtures.js';

/**
 * Every CLI a test starts is the leader of its own process group (`detached: true`), and the
 * whole group is killed when the test file ends, or when the vitest worker itself exits or is
 * stopped by a signal. Detached, a CLI no longer gets the terminal's Ctrl-C: without this, an
 * interrupted test run left `eventlake serve` running.
 */
interface Groups {
  readonly pids: Set<number>;
  hooked: boolean;
}
// Shared by every copy of this module in one worker (and by long-running.ts through it).
const GROUPS_KEY = Symbol.for('eventlake.test.processGroups');
const groups: Groups = ((globalThis as Record<symbol, unknown>)[GROUPS_KEY] as Groups | undefined) ?? { pids: new Set<number>(), hooked: false };
(globalThis as Record<symbol, unknown>)[GROUPS_KEY] = groups;

/** Sends `signal` to the process group led by `pid`; a group already gone is no error. */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function killAllGroups(): void {
  for (const pid of groups.pids) killGroup(pid);
  groups.pids.clear();
}

/** The last resort for a worker that ends before afterAll: its own exit, or a signal (vitest stops workers with SIGTERM; a terminal's Ctrl-C sends SIGINT). */
function hookWorkerExit(): void {
  if (groups.hooked) return;
  groups.hooked = true;
  process.on('exit', killAllGroups);
  // Signal events are the main thread's only (a worker thread never gets one).
  if (!isMainThread) return;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllGroups();
      process.off(signal, onSignal);
      // Then die of the signal as the worker would have without this hook, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Spawns `node <CLI> …args` as the leader of a new process group, killed (the whole group) at
 * the end of the test file at the latest. The group is forgotten once its leader has closed.
 */
export function spawnCliGroup(args: readonly string[], options: { env: Record<string, string>; cwd?: string }): ChildProcessWithoutNullStreams {
  hookWorkerExit();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) {
    groups.pids.add(pid);
    child.on('close', () => groups.pids.delete(pid));
  }
  return child;
}

afterAll(() => killAllGroups());

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: { stdout: string; stderr: string };
  /** The exit code (or -1 when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI without waiting for it, as the leader of its own process group (see spawnCliGroup). */
export function startCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Running {
  const child = spawnCliGroup(args, cwd === undefined ? { env } : { env, cwd });
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
