/**
 * The load procedure runs the compiled models in the order compileModels returns them (build
 * order). It checks that order before writing SQL from it: a model's changed keys are read from
 * upstream changes tables, which must be complete when it runs, so a model out of order would
 * silently miss changes.
 */
import type { CompiledModel } from '../compiled-model.js';

/** The models as given, once each is known to come after every model it reads; `sources` are the loaded tables. */
export function checkedRunOrder(models: readonly CompiledModel[], sources: readonly string[]): readonly CompiledModel[] {
  const names = new Set(models.map((m) => m.name));
  if (names.size !== models.length) throw new Error('Two compiled models share a name.');
  const done = new Set<string>();
  for (const model of models) {
    for (const dep of model.dependsOn) {
      if (sources.includes(dep) || done.has(dep)) continue;
      throw new Error(
        names.has(dep)
          ? `Model ${model.name} reads ${dep}, which comes after it: the models must come in build order (${model.file}).`
          : `Model ${model.name} reads ${dep}, which is neither a model nor a loaded table (${model.file}).`,
      );
    }
    done.add(model.name);
  }
  return models;
}
