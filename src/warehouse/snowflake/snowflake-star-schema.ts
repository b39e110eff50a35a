/**
 * The star schema in Snowflake, generated from the compiled models (compiled-model.ts): each
 * model's table, and the load procedure's model steps running the incremental protocol the
 * models are compiled for.
 *
 * A model's table is created from the model's own SELECT (`CREATE TABLE … AS SELECT … WHERE
 * FALSE`): its columns and types are what Snowflake makes of the SQL the load runs, so there is
 * no second list of column types to drift from the models. An incremental model is clustered by
 * its unique key, so the DELETE of changed keys prunes.
 *
 * The steps, in the models' dependency order:
 * - before the transaction (DDL commits a transaction in Snowflake): each model whose compiled
 *   SQL differs from the hash recorded in `_MODELS` (every model on the first load), and every
 *   model reading one, is built whole by CREATE OR REPLACE TABLE … COPY GRANTS AS (atomic:
 *   readers see the old table until the new one replaces it; a changed model may have other
 *   columns); then the changes and keys tables are created empty;
 * - in the transaction: a `table` model is rebuilt whole when a table it reads changed; an
 *   incremental model collects its changed keys, keeps its old rows of those keys as changes,
 *   deletes them, inserts its incremental SELECT, and adds its new rows to its changes; then its
 *   data tests run on its rows of those keys (a whole table: on all of it), and a failing test
 *   raises, which rolls the whole load back.
 */
import { basename } from 'node:path';
import type { CompiledModel } from '../compiled-model.js';
import { describeTest, offendingRowsSql, rowsOfKeys } from '../data-tests.js';
import type { ModelDialect } from '../model-dialect.js';
import { q, schemaObject } from './snowflake-names.js';

/** The table recording the hash of each model's SQL when it was last built whole. */
export const MODELS_TABLE = '_models';

export interface StarSchemaStatement {
  readonly comment: string;
  readonly sql: string;
}

const indent = (text: string, by: string): string =>
  text
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${by}${line}`))
    .join('\n');

function clusterBy(model: CompiledModel): string {
  return model.materialized === 'incremental' && model.uniqueKey.length > 0 ? ` CLUSTER BY (${model.uniqueKey.map(q).join(', ')})` : '';
}

/** The flag of the procedure saying a model is built whole in this load. */
export function fullBuildFlag(model: CompiledModel): string {
  return `full_${model.name}`;
}

/** `_MODELS` and each model's table (empty, with the model's columns), in dependency order. */
export function starSchemaTables(schema: string, models: readonly CompiledModel[], dialect: ModelDialect): StarSchemaStatement[] {
  return [
    {
      comment: [
        "The hash of each model's compiled SQL when the load last built it whole: a model whose SQL",
        'changed (a new eventlake version) is built whole again by the next load.',
      ].join('\n'),
      sql: `CREATE TABLE IF NOT EXISTS ${schemaObject(schema, MODELS_TABLE)} (
  "NAME"     VARCHAR NOT NULL PRIMARY KEY,
  "HASH"     VARCHAR NOT NULL,
  "BUILT_AT" TIMESTAMP_LTZ NOT NULL
)`,
    },
    ...models.map((model) => ({
      comment: [
        `Model ${model.name} (${model.materialized}${model.uniqueKey.length > 0 ? ` by ${model.uniqueKey.join(', ')}` : ''}), from models/${basename(model.file)}:`,
        'created empty with the columns of its SELECT; the load fills it.',
      ].join('\n'),
      sql: `CREATE TABLE IF NOT EXISTS ${dialect.table(model.name)}${clusterBy(model)} AS
SELECT * FROM (
${indent(model.fullSelect, '  ')}
) WHERE FALSE`,
    })),
  ];
}

/** The exception a model's test raises when rows of this load break it (rolling the load back). */
function testFailure(model: CompiledModel, index: number): string {
  return `test_failed_${model.name}_${index + 1}`;
}

/** The procedure's DECLAREd variables and exceptions for the model steps. */
export function modelDeclarations(models: readonly CompiledModel[]): string[] {
  return [
    ...models.map((m) => `${fullBuildFlag(m)} BOOLEAN DEFAULT FALSE;`),
    'models_to_build INTEGER DEFAULT 0;',
    'upstream_rows INTEGER DEFAULT 0;',
    'offending_rows INTEGER DEFAULT 0;',
    // User exceptions are numbered -20000 to -20999 in Snowflake; each test has its own number.
    ...models
      .flatMap((m) => m.tests.map((test, i) => ({ m, test, i })))
      .map(({ m, test, i }, n) => {
        if (n > 998) throw new Error('The models declare more than 999 data tests, more than the load procedure can number.');
        const message = `eventlake: model ${m.name} fails its data test ${describeTest(test)} on the rows this load wrote; the load was rolled back.`;
        return `${testFailure(m, i)} EXCEPTION (${-20001 - n}, '${message.replaceAll("'", "''")}');`;
      }),
  ];
}

/** A model's data tests on `rows` (a table, or the rows of the changed keys): any offending row raises. */
function dataTests(model: CompiledModel, dialect: ModelDialect, rows: string): string {
  return model.tests
    .map(
      (test, i) => `SELECT COUNT(*) INTO :offending_rows FROM (
${indent(offendingRowsSql(rows, test, (name) => dialect.table(name)), '  ')}
  LIMIT 1
);
IF (offending_rows > 0) THEN
  RAISE ${testFailure(model, i)};
END IF;`,
    )
    .join('\n');
}

/** Decides which models are built whole (sets the flags and models_to_build); runs no build. */
export function fullBuildDecision(schema: string, models: readonly CompiledModel[]): string {
  const toBuild = schemaObject(schema, 'lake_models_to_build');
  const byName = new Set(models.map((m) => m.name));
  const lines = [
    "-- Models built whole: those whose compiled SQL differs from the hash recorded when last built",
    '-- whole (all of them on the first load), and every model reading one.',
    `CREATE OR REPLACE TEMPORARY TABLE ${toBuild} AS`,
    `SELECT "M"."NAME" FROM (VALUES`,
    models.map((m) => `  ('${m.name}', '${m.hash}')`).join(',\n'),
    `) AS "M" ("NAME", "HASH")`,
    `LEFT JOIN ${schemaObject(schema, MODELS_TABLE)} AS "R" ON "R"."NAME" = "M"."NAME"`,
    `WHERE "R"."HASH" IS DISTINCT FROM "M"."HASH";`,
    `SELECT COUNT(*) INTO :models_to_build FROM ${toBuild};`,
  ];
  for (const model of models) {
    const upstream = model.dependsOn.filter((d) => byName.has(d)).map((d) => fullBuildFlag(models.find((m) => m.name === d)!));
    lines.push(`SELECT COUNT(*) > 0 INTO :${fullBuildFlag(model)} FROM ${toBuild} WHERE "NAME" = '${model.name}';`);
    if (upstream.length > 0) lines.push(`${fullBuildFlag(model)} := ${[fullBuildFlag(model), ...upstream].join(' OR ')};`);
  }
  return lines.join('\n');
}

/** Before the transaction: the whole builds, then the empty changes and keys tables. */
export function modelStepsBeforeTransaction(schema: string, models: readonly CompiledModel[], dialect: ModelDialect, sources: readonly string[]): string {
  const out: string[] = [];
  for (const model of models) {
    out.push(`-- model ${model.name}: built whole when its flag says so (replaced at once, its grants kept).
IF (${fullBuildFlag(model)}) THEN
  CREATE OR REPLACE TABLE ${dialect.table(model.name)}${clusterBy(model)} COPY GRANTS AS
${indent(model.fullSelect, '    ')};
  MERGE INTO ${schemaObject(schema, MODELS_TABLE)} AS "R" USING (SELECT '${model.name}' AS "NAME", '${model.hash}' AS "HASH") AS "S" ON "R"."NAME" = "S"."NAME"
    WHEN MATCHED THEN UPDATE SET "HASH" = "S"."HASH", "BUILT_AT" = CURRENT_TIMESTAMP()
    WHEN NOT MATCHED THEN INSERT ("NAME", "HASH", "BUILT_AT") VALUES ("S"."NAME", "S"."HASH", CURRENT_TIMESTAMP());
END IF;`);
  }
  out.push('-- The changes tables (old and new rows of what this load changes) and the changed keys, empty.');
  for (const source of sources) {
    out.push(`CREATE OR REPLACE TEMPORARY TABLE ${dialect.changesTable(source)} AS SELECT * FROM ${dialect.table(source)} WHERE FALSE;`);
  }
  for (const model of models) {
    out.push(`CREATE OR REPLACE TEMPORARY TABLE ${dialect.changesTable(model.name)} AS SELECT * FROM ${dialect.table(model.name)} WHERE FALSE;`);
    if (model.materialized === 'incremental') {
      out.push(
        `CREATE OR REPLACE TEMPORARY TABLE ${dialect.keysTable(model.name)} AS SELECT ${model.uniqueKey.map(q).join(', ')} FROM ${dialect.table(model.name)} WHERE FALSE;`,
      );
    }
  }
  return out.join('\n');
}

function keyMatch(model: CompiledModel, keys: string, rows: string): string {
  return model.uniqueKey.map((k) => `${keys}.${q(k)} IS NOT DISTINCT FROM ${rows}.${q(k)}`).join(' AND ');
}

/** One model's step in the transaction. */
export function modelStepInTransaction(model: CompiledModel, dialect: ModelDialect): string {
  const table = dialect.table(model.name);
  const changes = dialect.changesTable(model.name);
  if (model.materialized === 'table') {
    if (model.dependsOn.length === 0) return `-- model ${model.name}: a table reading no table, built only whole (above).`;
    // COUNT(*) of a whole table is answered from its metadata.
    const upstream = model.dependsOn.map((d) => `(SELECT COUNT(*) FROM ${dialect.changesTable(d)})`).join(' + ');
    return `-- model ${model.name}: a table, rebuilt whole when a table it reads changed.
SELECT ${upstream} INTO :upstream_rows;
IF (upstream_rows > 0) THEN
  INSERT INTO ${changes} SELECT * FROM ${table};
  DELETE FROM ${table};
  INSERT INTO ${table} SELECT * FROM (
${indent(model.fullSelect, '    ')}
  );
  INSERT INTO ${changes} SELECT * FROM ${table};
${indent(dataTests(model, dialect, table), '  ')}
END IF;`;
  }
  if (model.uniqueKey.length === 0 || model.incrementalSelect === null || model.changedKeys === null) {
    throw new Error(`Incremental model ${model.name} needs a unique key, an incremental SELECT and a changed-keys SELECT (${model.file}).`);
  }
  const keys = dialect.keysTable(model.name);
  const columns = model.uniqueKey.map(q).join(', ');
  const ofKeys = `EXISTS (SELECT 1 FROM ${keys} AS "K" WHERE ${keyMatch(model, '"K"', '"T"')})`;
  return `-- model ${model.name}: incremental by ${model.uniqueKey.join(', ')}; its rows of the changed keys are replaced.
INSERT INTO ${keys} (${columns}) SELECT ${columns} FROM (
${indent(model.changedKeys, '  ')}
);
INSERT INTO ${changes} SELECT "T".* FROM ${table} AS "T" WHERE ${ofKeys};
DELETE FROM ${table} AS "T" USING ${keys} AS "K" WHERE ${keyMatch(model, '"K"', '"T"')};
INSERT INTO ${table} SELECT * FROM (
${indent(model.incrementalSelect, '  ')}
);
INSERT INTO ${changes} SELECT "T".* FROM ${table} AS "T" WHERE ${ofKeys};
${dataTests(model, dialect, rowsOfKeys(table, keys, model.uniqueKey))}`.trimEnd();
}
