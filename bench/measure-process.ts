/**
 * Runs one command as its own process and measures it from the outside, the same way for
 * eventlake and for DuckDB: wall time from spawn to exit, peak RSS and CPU seconds from GNU
 * time (`/usr/bin/time`) when it is installed. Without it, peak RSS comes from polling the
 * child's /proc status (VmHWM, the kernel's own high-water mark), which can miss a peak reached
 * in the last few milliseconds, and CPU time is not known.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';

export interface Measured {
  readonly seconds: number;
  readonly peakRssBytes: number;
  /** User + system CPU seconds; undefined without GNU time. */
  readonly cpuSeconds: number | undefined;
  readonly stdout: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * `figuresFile` is where GNU time writes its figures (a scratch file, removed afterwards).
 * The child's stderr goes straight to ours so its errors are seen; its stdout is returned.
 */
export function measureProcess(command: string, args: readonly string[], options: { figuresFile: string; cwd?: string }): Promise<Measured> {
  const gnuTime = existsSync(GNU_TIME);
  // %M: maximum resident set size in KiB; %U %S: user and system CPU seconds.
  const [file, fileArgs] = gnuTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', options.figuresFile, command, ...args]] : [command, [...args]];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, fileArgs, { stdio: ['ignore', 'pipe', 'inherit'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    let stdout = '';
    let polledPeak = 0;
    const poll = gnuTime
      ? undefined
      : setInterval(() => {
          readFile(`/proc/${child.pid}/status`, 'utf8')
            .then((s) => {
              const kib = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
              polledPeak = Math.max(polledPeak, kib * 1024);
            })
            .catch(() => undefined); // the process has just ended
        }, 10);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', (err) => {
      if (poll) clearInterval(poll);
      reject(err);
    });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (poll) clearInterval(poll);
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
        return;
      }
      if (!gnuTime) {
        resolvePromise({ seconds, peakRssBytes: polledPeak, cpuSeconds: undefined, stdout });
        return;
      }
      readFile(options.figuresFile, 'utf8')
        .then(async (text) => {
          await rm(options.figuresFile, { force: true });
          // The figures are on the last line (GNU time puts a note about the exit status first).
          const [kib, user, system] = (text.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
          if (kib === undefined || user === undefined || system === undefined || [kib, user, system].some(Number.isNaN)) {
            throw new Error(`unexpected ${GNU_TIME} output: ${text.trim()}`);
          }
          resolvePromise({ seconds, peakRssBytes: kib * 1024, cpuSeconds: user + system, stdout });
        })
        .catch(reject);
    });
  });
}
