/**
 * A warehouse model compiled for one SQL dialect (DuckDB or Snowflake) from its one source file in
 * `src/warehouse/models/`. Both warehouses run the same incremental protocol on it:
 *
 * - Every loaded source table (`vehicle`, `operating_period`) has a changes table for the build
 *   (`dialect.changesTable('vehicle')`) holding the old rows of every hour partition replaced or
 *   removed and the new rows of every hour partition (re)loaded: the same columns as the table.
 * - A `table` model is rebuilt whole: `CREATE OR REPLACE TABLE <t> AS <fullSelect>`. Its changes
 *   table is then its whole old and new contents (downstream models treat every key as changed).
 * - An `incremental` model with `uniqueKey` k1..kn:
 *     1. keys   := `changedKeys` (distinct k1..kn, read from its upstream changes tables)
 *     2. changes(model) := rows of the model whose key is in keys (old versions)
 *     3. DELETE rows whose key is in keys; INSERT `incrementalSelect` (which reads keys)
 *     4. changes(model) += rows whose key is in keys (new versions)
 *     5. its data tests run on the rows whose key is in keys
 *   On the first build, after its SQL changed, or on a full refresh it is built like a `table`.
 * Deleting or rerunning an hour therefore removes exactly the rows derived from its old rows.
 * A model whose `hash` differs from the one the warehouse recorded for it (or that is missing) is
 * built like a `table`, and so is every model downstream of one built so: a downstream model
 * never reads the changes table of a model rebuilt whole.
 * `compileModels` (model-compiler.ts) returns the models in build order: each after the models it
 * reads and the tables its `relationships` tests point at.
 */
import type { DataTest } from './data-tests.js';

export type Materialization = 'table' | 'incremental';

export interface CompiledModel {
  readonly name: string;
  readonly materialized: Materialization;
  /** Columns that identify the unit an incremental model replaces (empty for a table). */
  readonly uniqueKey: readonly string[];
  /** Models and loaded tables it reads, inferred from `ref()` and `changes()` in its source. */
  readonly dependsOn: readonly string[];
  readonly tests: readonly DataTest[];
  /** The model's SELECT over all history. */
  readonly fullSelect: string;
  /** incremental: the SELECT restricted to the keys in `dialect.keysTable(name)`. */
  readonly incrementalSelect: string | null;
  /** incremental: a SELECT of the distinct changed keys (columns named as `uniqueKey`). */
  readonly changedKeys: string | null;
  /** sha256 of the compiled SQL: a model whose SQL changed is rebuilt whole. */
  readonly hash: string;
  /** The model's source file, for messages. */
  readonly file: string;
}
