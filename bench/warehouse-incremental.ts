/**
 * `npm run bench:warehouse`: the embedded warehouse build at a day and at a month of history
 * (issue 21's goal). Lake hours are written directly (bench/synthetic-lake-hours.ts); every
 * build is the built CLI's `warehouse build --json` as its own process, measured from the outside
 * (bench/measure-process.ts), with the build's own figure from its report beside it.
 *
 * At each history H (24 and 720 hours): the lake holds H − 1 hours and is built; one hour more
 * and built again (the spare file, one build behind, catches up: this is the steady state of
 * hourly builds); then one new hour, and that build is the figure: "the build after one new hour
 * at H hours of history". Then a build with nothing changed. Prints both figures, their ratio
 * (goal ≤ 1.5), the no-change build (goal < 1 s) and the warehouse file sizes. A benchmark, not
 * a test: an unmet goal is reported, not failed.
 *
 *   npm run bench:warehouse                          # 40 vehicles reporting every 10 s: 14,400 rows a hour
 *   npm run bench:warehouse -- --vehicles 200 --every 2 --hours 720
 *   npm run bench:warehouse -- --json > figures.json
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureProcess } from './measure-process.js';
import { type Fleet, rowsPerHour, writeLakeHours } from './synthetic-lake-hours.js';

const USAGE = 'flags: --vehicles N (default 40), --every SECONDS (default 10), --small HOURS (default 24), --hours HOURS (default 720), --json, --dir DIR (default .bench/warehouse)';

function usageError(message: string): never {
  process.stderr.write(`bench:warehouse: ${message} (--help lists the flags)\n`);
  process.exit(2);
}

interface Flags extends Fleet {
  readonly small: number;
  readonly hours: number;
  readonly json: boolean;
  readonly dir: string;
}

function parseFlags(args: readonly string[]): Flags {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (arg === '--json') {
      given.set(arg, '');
      continue;
    }
    if (!['--vehicles', '--every', '--small', '--hours', '--dir'].includes(arg)) usageError(`unknown flag ${arg}`);
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) usageError(`${arg} needs a value`);
    given.set(arg, value);
  }
  const whole = (flag: string, fallback: number, min: number): number => {
    const text = given.get(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min) usageError(`${flag} must be a whole number of at least ${min}, not ${JSON.stringify(text)}`);
    return n;
  };
  const flags = {
    vehicles: whole('--vehicles', 40, 2),
    everySeconds: whole('--every', 10, 1),
    small: whole('--small', 24, 2),
    hours: whole('--hours', 720, 3),
    json: given.has('--json'),
    dir: resolve(given.get('--dir') ?? '.bench/warehouse'),
  };
  if (flags.hours <= flags.small) usageError('--hours must be more than --small');
  return flags;
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(root, 'dist/src/cli/main.js');

interface Build {
  readonly hours: number;
  /** Wall time of the `warehouse build` process, start-up included. */
  readonly wallSeconds: number;
  /** The build's own time, from its report. */
  readonly reportSeconds: number;
  readonly loaded: number;
  readonly removed: number;
  readonly unchanged: boolean;
  readonly peakRssBytes: number;
}

interface Figures {
  readonly fleet: Fleet & { readonly rowsPerHour: ReturnType<typeof rowsPerHour> };
  readonly builds: Build[];
  readonly oneNewHour: { readonly small: Build; readonly large: Build; readonly ratio: number; readonly goal: 1.5; readonly met: boolean };
  readonly noChange: { readonly build: Build; readonly goalSeconds: 1; readonly met: boolean };
  readonly files: Record<string, number>;
  readonly lakeBytes: number;
  readonly benchSeconds: number;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const lake = join(flags.dir, 'lake');
  const state = join(flags.dir, 'state');
  const scratch = join(flags.dir, 'scratch');
  await rm(flags.dir, { recursive: true, force: true });
  const say = (line: string): void => {
    if (!flags.json) process.stdout.write(`${line}\n`);
  };
  const perHour = rowsPerHour(flags);
  say(`fleet: ${flags.vehicles} vehicles of 2 organizations, a location every ${flags.everySeconds} s: ${perHour.vehicle.toLocaleString('en')} vehicle rows and ${perHour.operating_period} operating periods a hour`);

  const builds: Build[] = [];
  let written = 0;
  const writeUpTo = async (hours: number): Promise<void> => {
    const t = performance.now();
    await writeLakeHours(lake, scratch, written, hours - written, flags);
    say(`  lake: hours ${written + 1}–${hours} written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    written = hours;
  };
  const build = async (what: string): Promise<Build> => {
    const measured = await measureProcess(process.execPath, [CLI, 'warehouse', 'build', '--lake', lake, '--state', state, '--json'], {
      figuresFile: join(flags.dir, 'time.txt'),
      cwd: flags.dir,
    });
    const report = JSON.parse(measured.stdout) as { seconds: number; loaded: unknown[]; removed: unknown[]; unchanged?: boolean };
    const figure: Build = {
      hours: written,
      wallSeconds: measured.seconds,
      reportSeconds: report.seconds,
      loaded: report.loaded.length,
      removed: report.removed.length,
      unchanged: report.unchanged === true,
      peakRssBytes: measured.peakRssBytes,
    };
    builds.push(figure);
    say(
      `  build ${what.padEnd(34)} ${figure.wallSeconds.toFixed(2).padStart(7)} s (build ${figure.reportSeconds.toFixed(2)} s), ${figure.loaded} partition(s) loaded${figure.unchanged ? ', unchanged' : ''}, peak ${mb(figure.peakRssBytes)}`,
    );
    return figure;
  };

  const oneNewHourAt = async (history: number): Promise<Build> => {
    say(`history ${history} hours:`);
    await writeUpTo(history - 1);
    await build(`of ${history - 1} hours`);
    await writeUpTo(history);
    await build(`after hour ${history} (spare catches up)`);
    await writeUpTo(history + 1);
    return build(`after one new hour at ${history} hours`);
  };
  const small = await oneNewHourAt(flags.small);
  const large = await oneNewHourAt(flags.hours);
  const unchanged = await build(`with nothing changed at ${flags.hours} hours`);

  const files: Record<string, number> = {};
  for (const name of (await readdir(state)).filter((f) => f.startsWith('warehouse-'))) files[name] = (await stat(join(state, name))).size;
  const ratio = large.wallSeconds / small.wallSeconds;
  const figures: Figures = {
    fleet: { vehicles: flags.vehicles, everySeconds: flags.everySeconds, rowsPerHour: perHour },
    builds,
    oneNewHour: { small, large, ratio, goal: 1.5, met: ratio <= 1.5 },
    noChange: { build: unchanged, goalSeconds: 1, met: unchanged.wallSeconds < 1 && unchanged.unchanged },
    files,
    lakeBytes: await sizeOf(lake),
    benchSeconds: (performance.now() - started) / 1000,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  say('');
  say(`build after one new hour: ${small.wallSeconds.toFixed(2)} s at ${flags.small} hours, ${large.wallSeconds.toFixed(2)} s at ${flags.hours} hours`);
  say(`  ratio ${ratio.toFixed(2)} (goal ≤ 1.5: ${figures.oneNewHour.met ? 'met' : 'NOT met'}); the builds' own times ${small.reportSeconds.toFixed(2)} s and ${large.reportSeconds.toFixed(2)} s, ratio ${(large.reportSeconds / small.reportSeconds).toFixed(2)}`);
  say(
    `no-change build at ${flags.hours} hours: ${unchanged.wallSeconds.toFixed(2)} s as a process (build ${unchanged.reportSeconds.toFixed(3)} s), unchanged: ${unchanged.unchanged} (goal < 1 s: ${figures.noChange.met ? 'met' : 'NOT met'})`,
  );
  say(`warehouse files: ${Object.entries(files).map(([f, n]) => `${f} ${mb(n)}`).join(', ')}; lake ${mb(figures.lakeBytes)} (${(perHour.vehicle * (flags.hours + 1)).toLocaleString('en')} vehicle rows)`);
  say(`bench took ${figures.benchSeconds.toFixed(0)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:warehouse: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
