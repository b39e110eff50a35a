/**
 * The project's warehouse models (`src/warehouse/models/`, the ones the DuckDB warehouse builds)
 * compiled for Snowflake, in build order: the star schema and the load are generated from them.
 */
import type { CompiledModel } from '../compiled-model.js';
import { compileModels } from '../model-compiler.js';
import type { ModelDialect } from '../model-dialect.js';
import { modelsDir } from '../model-files.js';
import { loadModels } from '../model-graph.js';
import { EXTERNAL_TABLES } from './snowflake-objects.js';

export function projectModels(dialect: ModelDialect): readonly CompiledModel[] {
  return compileModels(
    loadModels(modelsDir()),
    dialect,
    EXTERNAL_TABLES.map(({ entity }) => entity.name),
  );
}
