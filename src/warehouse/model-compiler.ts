/**
 * Compiles the model sources for one dialect: each model's SELECT over all history, its SELECT
 * restricted to changed keys and its changed-keys SELECT (incremental models), in build order.
 * Unknown references and cycles are refused in one sentence naming the file.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors/user-error.js';
import { defaultRegistry } from '../events/entity-registry.js';
import type { CompiledModel } from './compiled-model.js';
import type { ModelDialect } from './model-dialect.js';
import { renderBoth, type Model } from './model-graph.js';

/** Models in an order where each comes after what it reads and the tables its tests point at. */
export function buildOrder<M extends Pick<Model, 'name' | 'dependsOn' | 'tests' | 'file'>>(models: readonly M[], sources: readonly string[]): M[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const known = new Set(sources);
  const after = (model: M): string[] => [...model.dependsOn, ...model.tests.flatMap((t) => (t.kind === 'relationships' && t.table !== model.name ? [t.table] : []))];
  for (const model of models) {
    for (const dep of after(model)) {
      if (!byName.has(dep) && !known.has(dep)) throw new UserError(`model ${model.file} refers to ${dep}, which is neither a model nor a loaded table (${[...known, ...byName.keys()].join(', ')})`);
    }
  }
  const ordered: M[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: M, path: string[]): void => {
    if (state.get(model.name) === 'done') return;
    if (state.get(model.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(model.name)), model.name];
      throw new UserError(`model ${model.file} is in a cycle of models reading each other: ${cycle.join(' → ')}`);
    }
    state.set(model.name, 'visiting');
    for (const dep of after(model)) {
      const upstream = byName.get(dep);
      if (upstream) visit(upstream, [...path, model.name]);
    }
    state.set(model.name, 'done');
    ordered.push(model);
  };
  for (const model of models) visit(model, []);
  return ordered;
}

export function compileModel(model: Model, dialect: ModelDialect): CompiledModel {
  const { full, incremental } = renderBoth(model, dialect);
  const isIncremental = model.materialized === 'incremental';
  const compiled = {
    materialized: model.materialized,
    uniqueKey: isIncremental ? model.uniqueKey : [],
    fullSelect: full.sql,
    incrementalSelect: isIncremental ? incremental.sql : null,
    changedKeys: isIncremental ? incremental.changedKeys : null,
  };
  return {
    name: model.name,
    ...compiled,
    dependsOn: model.dependsOn,
    tests: model.tests,
    hash: createHash('sha256').update(JSON.stringify({ dialect: dialect.name, ...compiled })).digest('hex'),
    file: model.file,
  };
}

/** The models compiled for `dialect`, in build order; `sources` are the tables loaded before any model. */
export function compileModels(models: readonly Model[], dialect: ModelDialect, sources: readonly string[] = defaultRegistry().entities.map((e) => e.name)): CompiledModel[] {
  return buildOrder(models, sources).map((model) => compileModel(model, dialect));
}
