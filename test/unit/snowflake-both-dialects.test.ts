/**
 * One model set, two warehouses: every model of `src/warehouse/models/` compiles with the DuckDB
 * dialect and with the Snowflake dialect, to the same models (name, materialization, unique key,
 * what each reads, in the same build order), and the Snowflake SQL holds none of DuckDB's own
 * functions or names. Text only: Snowflake does not run here.
 */
import { describe, expect, it } from 'vitest';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { compileModels } from '../../src/warehouse/model-compiler.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { loadModels } from '../../src/warehouse/model-graph.js';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';
import { projectModels } from '../../src/warehouse/snowflake/snowflake-models.js';

const SCHEMA = '"ANALYTICS"."EVENTLAKE"';

/** DuckDB's spellings that Snowflake does not read (or reads otherwise). */
const DUCKDB_ONLY = [/\bhash\(/i, /\bstrftime\(/i, /\bisodow\(/i, /\barg_max\(/i, /\bprintf\(/i, /\brange\(\s*\d/i, /\s\/\/\s/, /\bepoch_ms\(/i];

describe('both dialects compile from one model set', () => {
  const sources = loadModels(modelsDir());
  const duckdb = compileModels(sources, duckdbDialect);
  const snowflake = compileModels(sources, snowflakeDialect(SCHEMA));

  it('compiles every model file with both dialects, to the same models in the same order', () => {
    expect(sources.length).toBeGreaterThan(0);
    const shape = (m: (typeof duckdb)[number]): unknown => ({ name: m.name, materialized: m.materialized, uniqueKey: m.uniqueKey, dependsOn: [...m.dependsOn].sort(), tests: m.tests });
    expect(duckdb.map((m) => m.name).sort()).toEqual(sources.map((m) => m.name).sort());
    expect(snowflake.map(shape)).toEqual(duckdb.map(shape));
    // The hashes differ: each is of its own dialect's SQL.
    for (const [i, model] of snowflake.entries()) expect(model.hash, model.name).not.toBe(duckdb[i]!.hash);
  });

  it('gives Snowflake SQL without DuckDB-only functions, naming the tables it reads in full', () => {
    for (const model of snowflake) {
      for (const sql of [model.fullSelect, model.incrementalSelect, model.changedKeys]) {
        if (sql === null) continue;
        for (const pattern of DUCKDB_ONLY) expect(sql, `${model.name}: ${pattern}`).not.toMatch(pattern);
        if (model.dependsOn.length > 0) expect(sql, model.name).toContain(`${SCHEMA}.`);
      }
    }
  });

  it('is the model set the Snowflake DDL is generated from', () => {
    expect(projectModels(snowflakeDialect(SCHEMA))).toEqual(snowflake);
  });
});
