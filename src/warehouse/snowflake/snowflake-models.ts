/** The project's warehouse models (`src/warehouse/models/`) compiled for Snowflake, in build order. */
import type { CompiledModel } from '../compiled-model.js';
import type { ModelDialect } from '../model-dialect.js';

export function projectModels(dialect: ModelDialect): readonly CompiledModel[] {
  throw new Error(`The model compiler is not merged yet (${dialect.name}).`);
}
