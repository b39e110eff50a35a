/**
 * `npm run bench:orchestration`: what the queue costs. Generates 24 hours of a 200-vehicle feed,
 * then times, in one sitting on the same input, 24 plain `eventlake run`s one after the other
 * (the sum of their wall times) and one `eventlake backfill` of the same 24 hours through the
 * durable queue; prints the ratio. Then starts `eventlake up` on an idle state and samples its
 * CPU time and memory for a while: what the scheduler costs when there is nothing to do. Not a
 * test: no assertion.
 *
 *   npm run bench:orchestration                          # 24 hours of 200 vehicles
 *   npm run bench:orchestration -- --hours 4 --vehicles 50 --idle-seconds 10
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHour } from '../src/generate/synthetic-feed.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const hours = Number(flag('--hours', '24'));
const vehicles = Number(flag('--vehicles', '200'));
const idleSeconds = Number(flag('--idle-seconds', '30'));
const workDir = resolve(flag('--dir', '.bench-orchestration'));
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist/src/cli/main.js');
const source = join(workDir, 'source');
const FIRST = Date.UTC(2019, 5, 1, 0);

const label = (i: number): string => new Date(FIRST + i * 3_600_000).toISOString().slice(0, 13);

function eventlake(cliArgs: readonly string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...cliArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`eventlake ${cliArgs.join(' ')} exited with ${code}`));
      else resolvePromise((performance.now() - started) / 1000);
    });
  });
}

/** utime + stime of a process, in seconds (Linux clock ticks are 100 per second). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function idleScheduler(): Promise<{ cpuShare: number; rss: number }> {
  const state = join(workDir, 'idle-state');
  const empty = join(workDir, 'idle-source');
  await rm(state, { recursive: true, force: true });
  await mkdir(empty, { recursive: true });
  const child = spawn(process.execPath, [cli, 'up', '--source', empty, '--lake', join(workDir, 'idle-lake'), '--state', state], {
    stdio: ['ignore', 'ignore', 'ignore'],
    // Nothing to do: the one hourly fire due at the start finds no objects and fails at once; then ticks only.
    env: { ...process.env, EVENTLAKE_RETRIES_COUNT: '0' },
  });
  const pid = child.pid as number;
  // Let it start up (loading modules costs CPU once), then sample.
  await new Promise((r) => setTimeout(r, 3000));
  const before = await cpuSeconds(pid);
  const from = performance.now();
  let rss = 0;
  while (performance.now() - from < idleSeconds * 1000) {
    rss = Math.max(rss, await rssMiB(pid));
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpu = (await cpuSeconds(pid)) - before;
  const wall = (performance.now() - from) / 1000;
  child.kill('SIGINT');
  await new Promise((r) => child.on('close', r));
  return { cpuShare: cpu / wall, rss };
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('run "npm run build" first');
  if (!existsSync(join(workDir, `generated-${hours}x${vehicles}`))) {
    await rm(workDir, { recursive: true, force: true });
    for (let i = 0; i < hours; i++) {
      process.stderr.write(`generating hour ${label(i)} (${vehicles} vehicles)\n`);
      await generateHour({ out: source, hour: new Date(FIRST + i * 3_600_000), vehicles, seed: i + 1, gzip: false });
    }
    await writeFile(join(workDir, `generated-${hours}x${vehicles}`), '');
  }
  const common = (name: string): string[] => ['--source', source, '--lake', join(workDir, `${name}-lake`), '--state', join(workDir, `${name}-state`), '--layout', 'flat'];
  for (const name of ['runs', 'backfill']) {
    await rm(join(workDir, `${name}-lake`), { recursive: true, force: true });
    await rm(join(workDir, `${name}-state`), { recursive: true, force: true });
  }

  let sum = 0;
  for (let i = 0; i < hours; i++) sum += await eventlake(['run', ...common('runs'), '--hour', label(i)]);
  process.stderr.write(`${hours} plain runs: ${sum.toFixed(2)} s in all\n`);
  const backfill = await eventlake(['backfill', ...common('backfill'), '--from', label(0), '--to', label(hours - 1)]);
  process.stderr.write(`one backfill of the same hours: ${backfill.toFixed(2)} s\n`);
  const idle = await idleScheduler();

  console.log(`${hours} hours of ${vehicles} vehicles (${new Date().toISOString().slice(0, 10)})`);
  console.log(`  sum of ${hours} plain eventlake run   ${sum.toFixed(2)} s`);
  console.log(`  eventlake backfill (the queue)    ${backfill.toFixed(2)} s   ratio ${(backfill / sum).toFixed(2)} (goal ≤ 1.10)`);
  console.log(`  eventlake up, idle ${idleSeconds} s          CPU ${(idle.cpuShare * 100).toFixed(2)}% of a core, RSS ${idle.rss.toFixed(0)} MiB (goals < 1%, < 100 MiB)`);
}

await main();
