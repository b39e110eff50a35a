/**
 * The benchmark's inputs: generated hours of the synthetic feed (`generateHour`, seed 1), each
 * generated once and cached under the bench folder; a `.complete` marker holding the generator's
 * figures says the folder is whole, so an interrupted generation starts over instead of being
 * measured half-written.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateHour, type GenerateResult } from '../src/generate/synthetic-feed.js';

export interface InputSpec {
  /** The name `--inputs` knows it by (`1000`, `3000`, `gz`), or `custom` for `--vehicles`. */
  readonly name: string;
  readonly vehicles: number;
  readonly gzip: boolean;
  /** Issue 10's memory cap for eventlake on this input. */
  readonly rssCapBytes: number;
}

const MiB = 1024 * 1024;

export const NAMED_INPUTS: readonly InputSpec[] = [
  { name: '1000', vehicles: 1000, gzip: false, rssCapBytes: 384 * MiB },
  { name: '3000', vehicles: 3000, gzip: false, rssCapBytes: 512 * MiB },
  { name: 'gz', vehicles: 1000, gzip: true, rssCapBytes: 384 * MiB },
];

/** `--vehicles N`: a quick look at one plain hour; the larger cap once it is bigger than the 1,000-vehicle hour. */
export function customInput(vehicles: number): InputSpec {
  return { name: 'custom', vehicles, gzip: false, rssCapBytes: (vehicles > 1000 ? 512 : 384) * MiB };
}

export interface Input extends InputSpec, GenerateResult {
  readonly dir: string;
  /** What DuckDB's read_json reads under `dir`. */
  readonly glob: string;
}

export async function prepareInput(spec: InputSpec, workDir: string, hour: string): Promise<Input> {
  const dir = join(workDir, `source-${spec.vehicles}v${spec.gzip ? '-gz' : ''}`);
  const marker = join(dir, '.complete');
  if (!existsSync(marker)) {
    await rm(dir, { recursive: true, force: true });
    const what = `${spec.vehicles.toLocaleString('en-US')} vehicles${spec.gzip ? ' (gzipped)' : ''} for ${hour}`;
    process.stderr.write(`generating ${what} into ${dir} (once; cached for later runs) …\n`);
    const started = performance.now();
    let reported = 0;
    const generated = await generateHour({
      out: dir,
      hour: new Date(`${hour}:00:00Z`),
      vehicles: spec.vehicles,
      seed: 1,
      gzip: spec.gzip,
      onProgress: (done, total) => {
        const tenth = Math.floor((done * 10) / total);
        if (tenth > reported) {
          reported = tenth;
          process.stderr.write(`  ${tenth * 10}% (${done}/${total} files, ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
        }
      },
    });
    await writeFile(marker, JSON.stringify(generated));
  }
  const figures = JSON.parse(await readFile(marker, 'utf8')) as GenerateResult;
  return { ...spec, ...figures, dir, glob: spec.gzip ? '**/*-events.json.gz' : '**/*-events.json' };
}

/**
 * Reads every file of the input once, untimed, so the first measured run does not pay for a
 * cold page cache that the runs after it do not (the input was maybe generated days ago).
 */
export async function warmPageCache(input: Input): Promise<void> {
  for (const name of await readdir(input.dir)) await readFile(join(input.dir, name));
}
