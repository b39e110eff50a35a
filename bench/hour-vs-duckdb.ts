/**
 * `npm run bench`: one generated hour (1,000 vehicles by default, ~1.8 M events, 3,600 files),
 * processed by the built eventlake CLI and by DuckDB alone, each in its own process on the same
 * input, one run each. Prints wall time, peak memory and the ratio. Not a test: no assertion.
 *
 *   npm run bench                       # 1,000 vehicles
 *   npm run bench -- --vehicles 200     # a quicker look
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHour } from '../src/generate/synthetic-feed.js';

const HOUR = '2019-06-01T15';
const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const vehicles = Number(flag('--vehicles', '1000'));
const workDir = resolve(flag('--dir', '.bench'));
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist/src/cli/main.js');
const baseline = join(root, 'dist/bench/duckdb-baseline.js');

interface Measured {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly stdout: string;
}

/** Runs a command; wall time from here, peak RSS from GNU time when present, else /proc polling. */
function measure(command: string, commandArgs: string[]): Promise<Measured> {
  const gnuTime = existsSync('/usr/bin/time');
  const rssFile = join(workDir, 'rss.txt');
  const [file, fileArgs] = gnuTime ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...commandArgs]] : [command, commandArgs];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, fileArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let polledPeak = 0;
    const poll = gnuTime
      ? undefined
      : setInterval(() => {
          readFile(`/proc/${child.pid}/status`, 'utf8')
            .then((s) => {
              const kb = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
              polledPeak = Math.max(polledPeak, kb * 1024);
            })
            .catch(() => undefined);
        }, 10);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', async (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code}`));
      const peakRssBytes = gnuTime ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)) * 1024 : polledPeak;
      resolvePromise({ seconds, peakRssBytes, stdout });
    });
  });
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const source = join(workDir, `source-${vehicles}v`);
const marker = join(source, '.complete');
if (!existsSync(marker)) {
  await rm(source, { recursive: true, force: true });
  process.stderr.write(`generating ${vehicles} vehicles for ${HOUR} into ${source} …\n`);
  const generated = await generateHour({ out: source, hour: new Date(`${HOUR}:00:00Z`), vehicles, seed: 1 });
  await writeFile(marker, JSON.stringify(generated));
}
const input = JSON.parse(await readFile(marker, 'utf8')) as { files: number; events: number; bytes: number };

const lake = join(workDir, 'lake');
const duckOut = join(workDir, 'duckdb-out');
await rm(lake, { recursive: true, force: true });
await rm(duckOut, { recursive: true, force: true });

const ours = await measure(process.execPath, [cli, 'run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', join(workDir, 'state')]);
const duck = await measure(process.execPath, [baseline, source, duckOut]);
const summary = JSON.parse(ours.stdout) as { events: Record<string, number> };
const duckRows = (JSON.parse(duck.stdout) as { rows: number }).rows;
const ourRows = Object.values(summary.events).reduce((a, b) => a + b, 0);

const lines = [
  `input: ${input.files} files, ${input.events.toLocaleString('en-US')} events, ${mib(input.bytes)} (${vehicles} vehicles, hour ${HOUR})`,
  `machine: ${cpus().length} cores, ${mib(totalmem())}, node ${process.version}`,
  `eventlake run : ${ours.seconds.toFixed(2)} s wall, peak RSS ${mib(ours.peakRssBytes)}, ${ourRows.toLocaleString('en-US')} rows`,
  `duckdb alone  : ${duck.seconds.toFixed(2)} s wall, peak RSS ${mib(duck.peakRssBytes)}, ${Number(duckRows).toLocaleString('en-US')} rows`,
  `ratio eventlake / duckdb: ${(ours.seconds / duck.seconds).toFixed(2)}  (goal ≤ 2.0, peak RSS ≤ 1 GiB)`,
];
console.log(lines.join('\n'));
