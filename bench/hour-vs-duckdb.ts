/**
 * `npm run bench`: eventlake against DuckDB alone on the same generated hours, on this machine.
 * Each side runs as its own process (the built CLI's `run`, Parquet and Avro; DuckDB's own
 * `COPY … FROM read_json(…)` in bench/duckdb-baseline.ts), measured from the outside the same way
 * (bench/measure-process.ts). The sides run in turn, A B C A B C …, so a machine whose speed
 * drifts (it is shared) slows every side alike, and the ratios are taken round by round.
 * Prints medians, ratios and issue 10's goals. A benchmark, not a test: an unmet goal is
 * reported, not failed; only differing row counts (a wrong answer, not a slow one) exit 1.
 *
 *   npm run bench                                      # the three inputs, 5 rounds
 *   npm run bench -- --runs 1 --inputs 1000 --formats parquet
 *   npm run bench -- --vehicles 200                    # a quick look at a small hour
 *   npm run bench -- --json > figures.json             # every figure, for scripts
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { customInput, NAMED_INPUTS, prepareInput, warmPageCache, type Input, type InputSpec } from './bench-inputs.js';
import { measureProcess, type Measured } from './measure-process.js';

const HOUR = '2019-06-01T15';
const FORMATS = ['parquet', 'avro'] as const;
type Format = (typeof FORMATS)[number];
type Side = Format | 'duckdb';
/** Issue 10's goals: eventlake's wall time over DuckDB's, median of the rounds' ratios. */
const RATIO_GOALS: Record<Format, number> = { parquet: 1.0, avro: 1.5 };
const SIDE_NAMES: Record<Side, string> = { parquet: 'eventlake parquet', avro: 'eventlake avro', duckdb: 'duckdb alone' };

// ---- flags -------------------------------------------------------------------------------

const USAGE =
  'flags: --runs N (default 5), --inputs 1000,3000,gz, --formats parquet,avro, --vehicles N (one custom hour), --json, --dir DIR (default .bench)';

/** A bad flag: one line naming it, exit 2 (a usage error, not a failed benchmark). */
function usageError(message: string): never {
  process.stderr.write(`bench: ${message} (--help lists the flags)\n`);
  process.exit(2);
}

interface Flags {
  readonly runs: number;
  readonly inputs: readonly InputSpec[];
  readonly formats: readonly Format[];
  readonly json: boolean;
  readonly dir: string;
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) usageError(`${flag} must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return n;
}

/** A comma-separated list whose items must each be one of `allowed`; order kept, repeats dropped. */
function list<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) usageError(`${flag}: unknown ${JSON.stringify(item)} (one or more of ${allowed.join(',')})`);
  }
  return [...new Set(items as T[])];
}

function parseFlags(args: readonly string[]): Flags {
  const withValue = new Set(['--runs', '--inputs', '--formats', '--vehicles', '--dir']);
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--json') {
      if (eq > 0) usageError('--json takes no value');
      given.set(name, '');
      continue;
    }
    if (!withValue.has(name)) usageError(arg.startsWith('-') ? `unknown flag ${name}` : `unexpected argument ${JSON.stringify(arg)}`);
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) usageError(`${name} needs a value`);
    if (given.has(name)) usageError(`${name} given twice`);
    given.set(name, value);
  }
  const inputs = given.get('--inputs');
  const vehicles = given.get('--vehicles');
  if (inputs !== undefined && vehicles !== undefined) usageError('--vehicles (one custom hour) and --inputs exclude each other');
  const names = NAMED_INPUTS.map((s) => s.name);
  return {
    runs: wholeNumber('--runs', given.get('--runs') ?? '5'),
    inputs:
      vehicles !== undefined
        ? [customInput(wholeNumber('--vehicles', vehicles))]
        : list('--inputs', inputs ?? names.join(','), names).map((n) => NAMED_INPUTS.find((s) => s.name === n) as InputSpec),
    formats: list('--formats', given.get('--formats') ?? FORMATS.join(','), FORMATS),
    json: given.has('--json'),
    dir: resolve(given.get('--dir') ?? '.bench'),
  };
}

// ---- figures -----------------------------------------------------------------------------

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number };
}

interface Run {
  readonly round: number;
  readonly side: Side;
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly cpuSeconds: number | undefined;
  readonly rows: number;
  /** eventlake only: lines it set aside as invalid (DuckDB has no such notion). */
  readonly quarantined?: number;
}

interface InputFigures {
  readonly input: Input;
  readonly runs: Run[];
  readonly sides: Partial<Record<Side, { seconds: Spread; peakRssBytes: Spread; cpuSeconds: Spread | undefined; rows: number[] }>>;
  readonly ratios: Partial<Record<Format, Spread & { perRound: number[]; goal: number; met: boolean }>>;
  readonly rss: Partial<Record<Format, { maxBytes: number; capBytes: number; met: boolean }>>;
  readonly rowMismatches: string[];
}

// ---- running -----------------------------------------------------------------------------

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = join(root, 'dist/src/cli/main.js');
const baseline = join(root, 'dist/bench/duckdb-baseline.js');
const MiB = 1024 * 1024;
const count = (n: number): string => n.toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;

async function runSide(side: Side, input: Input, round: number, workDir: string): Promise<Run> {
  // Fresh folders for every run: nothing written by one run (lake, state, DuckDB's output) is
  // found by the next. Removed outside the timed part.
  const scratch = join(workDir, 'run');
  await rm(scratch, { recursive: true, force: true });
  const measureOptions = { figuresFile: join(workDir, 'time-figures.txt'), cwd: workDir }; // cwd: no stray eventlake config is picked up
  let measured: Measured;
  let rows: number;
  let quarantined: number | undefined;
  if (side === 'duckdb') {
    measured = await measureProcess(process.execPath, [baseline, input.dir, join(scratch, 'duckdb-out'), input.glob], measureOptions);
    rows = Number((JSON.parse(measured.stdout) as { rows: number }).rows);
  } else {
    const args = [cli, 'run', '--source', input.dir, '--lake', join(scratch, 'lake'), '--hour', HOUR, '--format', side, '--json', '--state', join(scratch, 'state')];
    measured = await measureProcess(process.execPath, args, measureOptions);
    const summary = JSON.parse(measured.stdout) as { events: Record<string, number>; quarantined: number };
    rows = Object.values(summary.events).reduce((a, b) => a + b, 0);
    quarantined = summary.quarantined;
  }
  await rm(scratch, { recursive: true, force: true });
  return {
    round,
    side,
    seconds: measured.seconds,
    peakRssBytes: measured.peakRssBytes,
    cpuSeconds: measured.cpuSeconds,
    rows,
    ...(quarantined === undefined ? {} : { quarantined }),
  };
}

async function benchInput(input: Input, flags: Flags): Promise<InputFigures> {
  const sides: Side[] = [...flags.formats, 'duckdb'];
  await warmPageCache(input);
  const runs: Run[] = [];
  for (let round = 1; round <= flags.runs; round++) {
    for (const side of sides) {
      const run = await runSide(side, input, round, flags.dir);
      runs.push(run);
      const cpu = run.cpuSeconds === undefined ? '' : `, ${run.cpuSeconds.toFixed(2)} CPU s`;
      process.stderr.write(
        `[${input.name} round ${round}/${flags.runs}] ${SIDE_NAMES[side]}: ${run.seconds.toFixed(2)} s, ${mib(run.peakRssBytes)}${cpu}, ${count(run.rows)} rows\n`,
      );
    }
  }
  const of = (side: Side): Run[] => runs.filter((r) => r.side === side);
  const figures: InputFigures = { input, runs, sides: {}, ratios: {}, rss: {}, rowMismatches: [] };
  for (const side of sides) {
    const mine = of(side);
    const cpu = mine.map((r) => r.cpuSeconds).filter((c): c is number => c !== undefined);
    figures.sides[side] = {
      seconds: spread(mine.map((r) => r.seconds)),
      peakRssBytes: spread(mine.map((r) => r.peakRssBytes)),
      cpuSeconds: cpu.length === mine.length ? spread(cpu) : undefined,
      rows: [...new Set(mine.map((r) => r.rows))],
    };
  }
  const duck = of('duckdb');
  for (const format of flags.formats) {
    const ours = of(format);
    // Pair by pair: each round's eventlake run against the DuckDB run of the same round.
    const perRound = ours.map((r, i) => r.seconds / (duck[i] as Run).seconds);
    const s = spread(perRound);
    figures.ratios[format] = { ...s, perRound, goal: RATIO_GOALS[format], met: s.median <= RATIO_GOALS[format] };
    const maxBytes = Math.max(...ours.map((r) => r.peakRssBytes));
    figures.rss[format] = { maxBytes, capBytes: input.rssCapBytes, met: maxBytes <= input.rssCapBytes };
    for (const [i, r] of ours.entries()) {
      const d = duck[i] as Run;
      if (r.rows !== d.rows) figures.rowMismatches.push(`round ${r.round}: ${SIDE_NAMES[format]} ${count(r.rows)} rows, duckdb ${count(d.rows)}`);
    }
  }
  return figures;
}

// ---- printing ----------------------------------------------------------------------------

const secs = (s: Spread): string => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

interface Growth {
  readonly bytesRatio: number;
  readonly sides: Partial<Record<Side, number>>;
  /** Per eventlake format: did its time grow no faster than the input? */
  readonly atMostLinear: Partial<Record<Format, boolean>>;
}

function growthOf(all: readonly InputFigures[]): Growth | undefined {
  const small = all.find((f) => f.input.name === '1000');
  const large = all.find((f) => f.input.name === '3000');
  if (!small || !large) return undefined;
  const bytesRatio = large.input.bytes / small.input.bytes;
  const sides: Partial<Record<Side, number>> = {};
  const atMostLinear: Partial<Record<Format, boolean>> = {};
  for (const side of Object.keys(small.sides) as Side[]) {
    const ratio = (large.sides[side] as { seconds: Spread }).seconds.median / (small.sides[side] as { seconds: Spread }).seconds.median;
    sides[side] = ratio;
    if (side !== 'duckdb') atMostLinear[side] = ratio <= bytesRatio;
  }
  return { bytesRatio, sides, atMostLinear };
}

function table(all: readonly InputFigures[], flags: Flags, growth: Growth | undefined, date: string): string {
  const order = [...flags.formats.map((f) => SIDE_NAMES[f]), SIDE_NAMES.duckdb].join(', ');
  const lines = [
    `eventlake vs DuckDB, ${date}, hour ${HOUR}: ${flags.runs} round${flags.runs === 1 ? '' : 's'} per input, each in turn: ${order}`,
    `machine: ${cpus().length} cores, ${mib(totalmem())}, node ${process.version}; peak RSS from ${existsSync('/usr/bin/time') ? '/usr/bin/time' : '/proc polling'}`,
  ];
  for (const f of all) {
    const { input } = f;
    lines.push(
      '',
      `input ${input.name}: ${count(input.vehicles)} vehicles${input.gzip ? ', gzipped (.json.gz)' : ''}, ${count(input.files)} files, ${count(input.events)} events, ${mib(input.bytes)}${input.gzip ? ' compressed' : ''}`,
      `  ${'side'.padEnd(19)}${'wall s median (min–max)'.padEnd(26)}${'peak RSS median'.padEnd(17)}${'CPU s median'.padEnd(14)}rows`,
    );
    for (const side of [...flags.formats, 'duckdb'] as Side[]) {
      const s = f.sides[side];
      if (!s) continue;
      lines.push(
        `  ${SIDE_NAMES[side].padEnd(19)}${secs(s.seconds).padEnd(26)}${mib(s.peakRssBytes.median).padEnd(17)}${(s.cpuSeconds?.median.toFixed(2) ?? '–').padEnd(14)}${s.rows.map(count).join(' / ')}`,
      );
    }
    for (const format of flags.formats) {
      const r = f.ratios[format];
      if (r) lines.push(`  ${`${format} / duckdb`.padEnd(19)}${secs(r).padEnd(26)}${`goal ≤ ${r.goal.toFixed(1)}`.padEnd(17)}${verdict(r.met)}`);
    }
    for (const format of flags.formats) {
      const m = f.rss[format];
      if (m) lines.push(`  ${`${format} peak RSS`.padEnd(19)}${`max ${mib(m.maxBytes)}`.padEnd(26)}${`goal ≤ ${mib(m.capBytes)}`.padEnd(17)}${verdict(m.met)}`);
    }
    if (f.rowMismatches.length === 0) {
      lines.push(`  ${'rows'.padEnd(19)}eventlake = duckdb in every round`);
    } else {
      lines.push(`  ${'rows'.padEnd(19)}!!! ROW COUNTS DIFFER !!!`, ...f.rowMismatches.map((m) => `    ${m}`));
    }
    const quarantined = f.runs.reduce((n, r) => n + (r.quarantined ?? 0), 0);
    if (quarantined > 0) lines.push(`  note: eventlake quarantined ${count(quarantined)} lines over all its runs`);
  }
  if (growth) {
    const sides = (Object.entries(growth.sides) as [Side, number][]).map(([side, ratio]) => `${SIDE_NAMES[side]} ×${ratio.toFixed(2)}`).join(', ');
    const linear = (Object.entries(growth.atMostLinear) as [Format, boolean][]).map(([format, ok]) => `${format} ${ok ? 'yes' : 'NO'}`).join(', ');
    lines.push(
      '',
      `growth 1000 → 3000 vehicles: input bytes ×${growth.bytesRatio.toFixed(2)}; median wall time ${sides}`,
      `  eventlake time grew at most linearly (time ratio ≤ bytes ratio): ${linear}`,
    );
  }
  return lines.join('\n');
}

const round3 = (n: number): number => Number(n.toFixed(3));

function jsonReport(all: readonly InputFigures[], flags: Flags, growth: Growth | undefined, date: string): Record<string, unknown> {
  const spreadJson = (s: Spread | undefined): Spread | null => (s ? { median: round3(s.median), min: round3(s.min), max: round3(s.max) } : null);
  return {
    date,
    hour: HOUR,
    rounds: flags.runs,
    formats: flags.formats,
    machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version, peakRssFrom: existsSync('/usr/bin/time') ? '/usr/bin/time' : '/proc' },
    inputs: all.map((f) => ({
      name: f.input.name,
      vehicles: f.input.vehicles,
      gzip: f.input.gzip,
      files: f.input.files,
      events: f.input.events,
      bytes: f.input.bytes,
      runs: f.runs.map((r) => ({ ...r, seconds: round3(r.seconds), cpuSeconds: r.cpuSeconds === undefined ? null : round3(r.cpuSeconds) })),
      sides: Object.fromEntries(
        Object.entries(f.sides).map(([side, s]) => [
          side,
          { seconds: spreadJson(s.seconds), peakRssBytes: spreadJson(s.peakRssBytes), cpuSeconds: spreadJson(s.cpuSeconds), rows: s.rows },
        ]),
      ),
      ratios: Object.fromEntries(
        Object.entries(f.ratios).map(([format, r]) => [format, { ...spreadJson(r), perRound: r.perRound.map(round3), goal: r.goal, met: r.met }]),
      ),
      rss: f.rss,
      rowsMatch: f.rowMismatches.length === 0,
      rowMismatches: f.rowMismatches,
    })),
    growth: growth
      ? {
          from: '1000',
          to: '3000',
          bytesRatio: round3(growth.bytesRatio),
          wallTimeRatios: Object.fromEntries(Object.entries(growth.sides).map(([side, r]) => [side, round3(r)])),
          atMostLinear: growth.atMostLinear,
        }
      : null,
    rowsMatch: all.every((f) => f.rowMismatches.length === 0),
  };
}

// ---- main --------------------------------------------------------------------------------

const flags = parseFlags(process.argv.slice(2));
try {
  // Generate (or find cached) every input first, so generating never runs beside a measurement.
  const inputs: Input[] = [];
  for (const spec of flags.inputs) inputs.push(await prepareInput(spec, flags.dir, HOUR));
  const all: InputFigures[] = [];
  for (const input of inputs) all.push(await benchInput(input, flags));
  const growth = growthOf(all);
  const date = new Date().toISOString().slice(0, 10);
  if (flags.json) console.log(JSON.stringify(jsonReport(all, flags, growth, date)));
  else console.log(table(all, flags, growth, date));
  const mismatches = all.flatMap((f) => f.rowMismatches.map((m) => `input ${f.input.name}, ${m}`));
  if (mismatches.length > 0) {
    process.stderr.write(`\nbench: ROW COUNTS OF EVENTLAKE AND DUCKDB DIFFER:\n${mismatches.map((m) => `  ${m}\n`).join('')}`);
    process.exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
