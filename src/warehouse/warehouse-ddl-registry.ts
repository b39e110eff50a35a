/**
 * The DDL of a warehouse target, loaded by kind. Apart from warehouse-target-registry.ts because
 * the DDL compiles the project's models (nunjucks): the CLI needs it, the Lambda bundle, which
 * loads the target registry, must not carry the compiler.
 */
import type { SnowflakeDdlOptions } from './snowflake/snowflake-ddl.js';
import type { WarehouseTargetConfig } from './warehouse-target-registry.js';

/** The complete DDL for this lake, the star schema compiled from the project's models. */
export async function warehouseDdl(config: WarehouseTargetConfig, options: SnowflakeDdlOptions): Promise<string> {
  switch (config.kind) {
    case 'snowflake': {
      const { projectSnowflakeDdl } = await import('./snowflake/snowflake-project-ddl.js');
      return projectSnowflakeDdl(options);
    }
  }
}
