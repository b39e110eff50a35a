/**
 * The Snowflake warehouse target as the CLI uses it: the DDL for this lake, applied with a
 * connection whose credentials come from the environment only, and EXPLAIN and lineage read
 * from Snowflake itself. Errors reach the person as one sentence.
 */
import { UserError } from '../errors/user-error.js';
import type { ApplyResult, ExplainResult, LineageResult, SqlConnection } from '../warehouse/warehouse-target.js';
import { loadWarehouseTarget, openWarehouseConnection, type SnowflakeDdlOptions } from '../warehouse/warehouse-target-registry.js';
import { warehouseDdl } from '../warehouse/warehouse-ddl-registry.js';

const SNOWFLAKE = { kind: 'snowflake' } as const;

function asUserError(err: unknown): UserError {
  return err instanceof UserError ? err : new UserError((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'Snowflake failed');
}

/** The DDL with the star schema compiled from the project's models (the model compiler is loaded only here). */
export async function snowflakeDdl(options: SnowflakeDdlOptions): Promise<string> {
  try {
    return await warehouseDdl(SNOWFLAKE, options);
  } catch (err) {
    throw asUserError(err);
  }
}

async function withConnection<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
  let connection: SqlConnection;
  try {
    connection = await openWarehouseConnection(SNOWFLAKE);
  } catch (err) {
    throw asUserError(err);
  }
  try {
    return await work(connection);
  } catch (err) {
    throw asUserError(err);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export async function applySnowflakeDdl(options: SnowflakeDdlOptions): Promise<ApplyResult> {
  const ddl = await snowflakeDdl(options);
  const target = await loadWarehouseTarget(SNOWFLAKE);
  return withConnection((connection) => target.apply(connection, ddl));
}

export async function explainOnSnowflake(query: string): Promise<ExplainResult> {
  const target = await loadWarehouseTarget(SNOWFLAKE);
  return withConnection((connection) => target.explain(connection, query));
}

export async function lineageOnSnowflake(table: string): Promise<LineageResult> {
  const target = await loadWarehouseTarget(SNOWFLAKE);
  return withConnection((connection) => target.lineage(connection, table));
}
