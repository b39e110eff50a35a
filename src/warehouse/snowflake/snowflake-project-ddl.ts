/** The Snowflake DDL for a lake, with the star schema and load compiled from the project's models. */
import { snowflakeDdl, type SnowflakeDdlOptions } from './snowflake-ddl.js';
import { projectModels } from './snowflake-models.js';

export function projectSnowflakeDdl(options: SnowflakeDdlOptions): string {
  return snowflakeDdl(options, projectModels);
}
