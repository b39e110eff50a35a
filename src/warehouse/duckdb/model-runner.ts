/**
 * Runs the compiled models on DuckDB by the incremental protocol of compiled-model.ts: each model
 * is rebuilt whole (first build, SQL changed, `--full-refresh`, upstream rebuilt whole, or a
 * `table` whose inputs changed), replaced for its changed keys (incremental), or left alone
 * (nothing it reads changed). `_models` records the SQL hash each model was last built with.
 * Runs inside the build's transaction; the first failing data test stops the build.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/sql-string.js';
import { UserError } from '../../errors/user-error.js';
import type { CompiledModel } from '../compiled-model.js';
import { describeTest, keyMatch, offendingRowsSql } from '../data-tests.js';
import type { ModelReport } from '../embedded-warehouse.js';
import type { ModelDialect } from '../model-dialect.js';

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const [row] = await rowsOf(connection, `SELECT count(*) AS n FROM (${sql})`);
  return Number(row?.['n'] ?? 0);
}

export interface ModelPlan {
  /** Models built whole this build. */
  readonly full: ReadonlySet<string>;
  /** Models and loaded tables whose changes table some model reads this build. */
  readonly changesFor: ReadonlySet<string>;
}

/** Which models are rebuilt whole, and whose changes tables are read: known before anything is loaded. */
export async function planModels(connection: DuckDBConnection, models: readonly CompiledModel[], dialect: ModelDialect, fullRefresh: boolean): Promise<ModelPlan> {
  await connection.run('CREATE TABLE IF NOT EXISTS _models (name VARCHAR PRIMARY KEY, hash VARCHAR)');
  const recorded = new Map((await rowsOf(connection, 'SELECT name, hash FROM _models')).map((r) => [String(r['name']), String(r['hash'])]));
  const tables = new Set((await rowsOf(connection, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")).map((r) => String(r['table_name'])));
  const full = new Set<string>();
  const changesFor = new Set<string>();
  for (const model of models) {
    if (fullRefresh || recorded.get(model.name) !== model.hash || !tables.has(model.name) || model.dependsOn.some((d) => full.has(d))) {
      full.add(model.name);
      continue;
    }
    if (model.materialized !== 'incremental') continue;
    const sql = `${model.changedKeys ?? ''}\n${model.incrementalSelect ?? ''}`;
    for (const dep of model.dependsOn) if (sql.includes(dialect.changesTable(dep))) changesFor.add(dep);
  }
  return { full, changesFor };
}

async function runTests(connection: DuckDBConnection, model: CompiledModel, from: string, dialect: ModelDialect): Promise<void> {
  for (const test of model.tests) {
    const sql = offendingRowsSql(from, test, (name) => dialect.table(name));
    const offending = await rowsOf(connection, `${sql} LIMIT 3`);
    if (offending.length > 0) {
      throw new UserError(
        `warehouse build failed: model ${model.name}, test ${describeTest(test)}: ${await scalar(connection, sql)} offending row(s), e.g. ${offending.map((r) => JSON.stringify(r)).join('; ')}`,
      );
    }
  }
}

export async function runModels(
  connection: DuckDBConnection,
  models: readonly CompiledModel[],
  dialect: ModelDialect,
  plan: ModelPlan,
  changedSources: ReadonlySet<string>,
): Promise<ModelReport[]> {
  const reports: ModelReport[] = [];
  const changed = new Set(changedSources);
  for (const model of models) {
    const started = performance.now();
    const table = dialect.table(model.name);
    const changes = plan.changesFor.has(model.name) ? dialect.changesTable(model.name) : null;
    const report = (build: ModelReport['build'], removed: number, written: number, tests: number): Omit<ModelReport, 'rows' | 'seconds'> => ({
      name: model.name,
      materialized: model.materialized,
      build,
      rowsChanged: removed + written,
      rowsRemoved: removed,
      rowsWritten: written,
      tests,
    });
    let outcome: Omit<ModelReport, 'rows' | 'seconds'>;
    const upstreamChanged = model.dependsOn.some((d) => changed.has(d));
    if (plan.full.has(model.name) || (model.materialized === 'table' && upstreamChanged)) {
      const before = changes ? null : 0;
      if (changes) await connection.run(`CREATE OR REPLACE TABLE ${changes} AS SELECT * FROM ${table}`);
      const removed = before ?? (await scalar(connection, `SELECT 1 FROM ${changes}`));
      await connection.run(`CREATE OR REPLACE TABLE ${table} AS ${model.fullSelect}`);
      if (changes) await connection.run(`INSERT INTO ${changes} SELECT * FROM ${table}`);
      await runTests(connection, model, table, dialect);
      outcome = report('full', removed, await scalar(connection, `SELECT 1 FROM ${table}`), model.tests.length);
      changed.add(model.name);
    } else if (model.materialized === 'incremental' && upstreamChanged) {
      const keys = dialect.keysTable(model.name);
      await connection.run(`CREATE OR REPLACE TABLE ${keys} AS ${model.changedKeys ?? ''}`);
      const match = keyMatch(table, keys, model.uniqueKey);
      if (changes) await connection.run(`CREATE OR REPLACE TABLE ${changes} AS SELECT * FROM ${table} WHERE ${match}`);
      // The replacement rows are kept apart while they are written: what is recorded as changed and
      // what the tests check are exactly those rows (the rows of the changed keys after the
      // replace), read from this small table instead of scanning the model's table again (a fact
      // table of months, inside the build's transaction, took over a second a scan).
      const fresh = `_fresh_${model.name}`;
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${fresh} AS ${model.incrementalSelect ?? ''}`);
      const removed = (await connection.run(`DELETE FROM ${table} WHERE ${match}`)).rowsChanged;
      const written = (await connection.run(`INSERT INTO ${table} SELECT * FROM ${fresh}`)).rowsChanged;
      if (changes) await connection.run(`INSERT INTO ${changes} SELECT * FROM ${fresh}`);
      await runTests(connection, model, fresh, dialect);
      await connection.run(`DROP TABLE ${fresh}`);
      outcome = report('incremental', removed, written, model.tests.length);
      if (removed + written > 0) changed.add(model.name);
    } else {
      if (changes) await connection.run(`CREATE OR REPLACE TABLE ${changes} AS SELECT * FROM ${table} WHERE false`);
      outcome = report('unchanged', 0, 0, 0);
    }
    await connection.run(`INSERT OR REPLACE INTO _models VALUES (${sqlString(model.name)}, ${sqlString(model.hash)})`);
    reports.push({ ...outcome, rows: await scalar(connection, `SELECT 1 FROM ${table}`), seconds: (performance.now() - started) / 1000 });
  }
  return reports;
}

/** Drops the build's changes and keys tables. */
export async function dropBuildTables(connection: DuckDBConnection, models: readonly CompiledModel[], sources: readonly string[], dialect: ModelDialect): Promise<void> {
  for (const name of [...sources, ...models.map((m) => m.name)]) {
    await connection.run(`DROP TABLE IF EXISTS ${dialect.changesTable(name)}`);
    await connection.run(`DROP TABLE IF EXISTS ${dialect.keysTable(name)}`);
  }
}
