/**
 * The warehouse models: plain `.sql` files, each declaring in its header what it reads
 * (`-- depends_on: a, b`) and the data tests its result must pass (`-- test: unique(col)`), so
 * the build order, the tests and the lineage come from one place: the model's own file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataTest, type DataTest } from './data-tests.js';

export interface Model {
  readonly name: string;
  readonly sql: string;
  /** Models and loaded tables it reads. */
  readonly dependsOn: readonly string[];
  readonly tests: readonly DataTest[];
  readonly file: string;
}

export function parseModel(name: string, text: string, file: string): Model {
  const dependsOn: string[] = [];
  const tests: DataTest[] = [];
  for (const line of text.split('\n')) {
    const header = /^--\s*(depends_on|test):\s*(.+)$/.exec(line.trim());
    if (!header) continue;
    const [, kind, value] = header as unknown as [string, string, string];
    if (kind === 'depends_on') dependsOn.push(...value.split(',').map((d) => d.trim()).filter(Boolean));
    else tests.push(parseDataTest(value.trim(), `${file}: ${line.trim()}`));
  }
  return { name, sql: text, dependsOn, tests, file };
}

export function loadModels(dir: string): Model[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseModel(f.slice(0, -'.sql'.length), readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

/** Models in an order where each comes after what it depends on; `sources` are tables loaded before any model. */
export function buildOrder(models: readonly Model[], sources: readonly string[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const known = new Set(sources);
  for (const model of models) {
    for (const dep of model.dependsOn) {
      if (!byName.has(dep) && !known.has(dep)) throw new Error(`model ${model.name} depends on ${dep}, which is neither a model nor a loaded table`);
    }
  }
  const ordered: Model[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: Model, path: string[]): void => {
    if (state.get(model.name) === 'done') return;
    if (state.get(model.name) === 'visiting') throw new Error(`models depend on each other in a cycle: ${[...path, model.name].join(' → ')}`);
    state.set(model.name, 'visiting');
    for (const dep of model.dependsOn) {
      const upstream = byName.get(dep);
      if (upstream) visit(upstream, [...path, model.name]);
    }
    state.set(model.name, 'done');
    ordered.push(model);
  };
  for (const model of models) visit(model, []);
  return ordered;
}
