/**
 * The warehouse models as parsed, kept in the state folder under the hash of their files (and of
 * the parser's own code), so a build finds them without loading the template engine: a build with
 * nothing to do then never loads nunjucks (about a tenth of its time as a whole process). A cache
 * that is missing, damaged or of other files is parsed again and rewritten; it decides nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model } from './model-graph.js';

const CACHE_FILE = 'warehouse-models.json';

/** The code that turns a model file into a Model (compiled `.js`, or `.ts` when run from source): a change to it is a change to every model. */
const PARSER_MODULES = ['model-graph', 'model-template', 'data-tests'].map((f) => fileURLToPath(new URL(`${f}${extname(fileURLToPath(import.meta.url))}`, import.meta.url)));

async function sourcesHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const module of PARSER_MODULES) hash.update(await readFile(module)).update('\0');
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update('\0').update(await readFile(join(dir, file))).update('\0');
  }
  return hash.digest('hex');
}

export async function loadModelsCached(dir: string, stateDir: string): Promise<Model[]> {
  const key = await sourcesHash(dir);
  const cacheFile = join(stateDir, CACHE_FILE);
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { key?: unknown; dir?: unknown; models?: unknown };
    if (cached.key === key && cached.dir === dir && Array.isArray(cached.models)) return cached.models as Model[];
  } catch {
    // Missing or damaged: parsed again below.
  }
  const { loadModels } = await import('./model-graph.js');
  const models = loadModels(dir);
  // Written whole, then renamed: a reader never meets half a cache. Two builds of one process
  // (serve's refresher and an API build) write files of their own. A cache that cannot be written
  // costs the next build a parse, nothing more.
  const partial = `${cacheFile}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(partial, JSON.stringify({ key, dir, models }));
    await rename(partial, cacheFile);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
  }
  return models;
}
