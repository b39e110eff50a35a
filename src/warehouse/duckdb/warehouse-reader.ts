/**
 * Reading the embedded warehouse: the file opened read-only, then the connection locked down by
 * DuckDB's own settings, not by looking at the SQL: no file outside the lake can be read or
 * written (`enable_external_access = false` with the lake as the one allowed directory), and the
 * configuration is locked so a query cannot undo it. The allowed folder admits writes too
 * (`COPY … TO '<lake>/x'`, `ATTACH '<lake>/new.db'` were measured to pass), so a person's query
 * must also be one statement that DuckDB's own parser calls a SELECT. Builds write another file
 * and swap it in, so a reader never waits for a writer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { sqlString } from '../../duckdb/sql-string.js';
import { UserError } from '../../errors/user-error.js';
import type { WarehouseReader } from '../embedded-warehouse.js';
import { WAREHOUSE_FILE } from './duckdb-warehouse.js';

/** DuckDB's message without its category prefix's stack: one sentence for the person. */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function refused(reason: string): UserError {
  return new UserError(`the warehouse refused the query: ${reason}`);
}

/** The statement's kind in words: `COPY`, `CREATE`, `ATTACH`, … */
function kindOf(type: StatementType): string {
  return (duckdb.StatementType[type] as string | undefined)?.replaceAll('_', ' ') ?? `statement type ${type}`;
}

export async function openWarehouseReader(stateDir: string): Promise<WarehouseReader> {
  const database = join(stateDir, WAREHOUSE_FILE);
  if (!existsSync(database)) throw new UserError(`no warehouse in ${stateDir} yet: run eventlake warehouse build first`);
  const instance = await duckdb.DuckDBInstance.create(database, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  const connection: DuckDBConnection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const [meta] = (await connection.runAndReadAll(`SELECT lake FROM _warehouse`)).getRowObjectsJson();
  const lake = String(meta?.['lake'] ?? '');
  await connection.run(`SET allowed_directories = [${sqlString(`${lake}/`)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');

  /** The one statement of `sql`, prepared, once the parser has called it a SELECT. */
  const prepareSelect = async (sql: string): Promise<DuckDBPreparedStatement> => {
    let statements;
    try {
      statements = await connection.extractStatements(sql);
    } catch (err) {
      throw refused(oneLine(err));
    }
    if (statements.count === 0) throw refused('it holds no statement');
    if (statements.count > 1) throw refused(`it holds ${statements.count} statements; send one at a time`);
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await statements.prepare(0);
    } catch (err) {
      throw refused(oneLine(err));
    }
    const type = prepared.statementType;
    if (type !== duckdb.StatementType.SELECT) {
      prepared.destroySync();
      // EXPLAIN too: EXPLAIN ANALYZE runs what it explains (ask for the plan with explain instead).
      const hint = type === duckdb.StatementType.EXPLAIN ? ' (ask for the plan with the explain option instead)' : '';
      throw refused(`only reading is allowed here: DuckDB parses this as ${kindOf(type)}, not SELECT${hint}`);
    }
    return prepared;
  };

  /**
   * Refuses an answer whose first `maxRows + 1` rows, as text, pass `maxBytes`. The person's
   * SELECT becomes a subquery; the wrapped text is itself checked to be one SELECT. A statement
   * that cannot be a subquery (PRAGMA show_tables and its kind) answers small and is not sized.
   */
  const checkAnswerSize = async (sql: string, maxRows: number, maxBytes: number): Promise<void> => {
    const body = sql.trim().replace(/;\s*$/, '');
    let sizing: DuckDBPreparedStatement;
    try {
      sizing = await prepareSelect(
        `SELECT coalesce(sum(strlen(CAST(answer AS VARCHAR))), 0) AS bytes FROM (SELECT * FROM (\n${body}\n) LIMIT ${maxRows + 1}) AS answer`,
      );
    } catch (err) {
      // Only what cannot be a subquery goes unsized; any other failure is the query's own.
      if (err instanceof UserError && /: Parser Error/.test(err.message)) return;
      throw err;
    }
    try {
      const [row] = (await sizing.runAndReadAll()).getRowObjectsJson();
      const bytes = Number(row?.['bytes'] ?? 0);
      if (bytes > maxBytes) {
        const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
        throw refused(`its answer would be about ${mb(bytes)}, more than the ${mb(maxBytes)} it may be: ask for fewer rows, fewer columns or shorter values`);
      }
    } finally {
      sizing.destroySync();
    }
  };

  return {
    async query(sql) {
      try {
        const result = await connection.runAndReadAll(sql);
        return { columns: result.columnNames(), rows: result.getRowObjectsJson() as Record<string, unknown>[] };
      } catch (err) {
        throw refused(oneLine(err));
      }
    },
    async checkReadOnly(sql) {
      (await prepareSelect(sql)).destroySync();
    },
    async read(sql, { maxRows, timeoutMs, maxBytes }) {
      const prepared = await prepareSelect(sql);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, timeoutMs);
      try {
        // The rows asked for are sized by DuckDB first: turned into JavaScript strings, an answer
        // of a few huge values would take the whole process down (one query, five gigabytes).
        if (Number.isFinite(maxBytes)) await checkAnswerSize(sql, maxRows, maxBytes);
        // One row past the cap tells whether there were more, without reading them all.
        const reader = await prepared.streamAndReadUntil(maxRows + 1);
        const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
        return { columns: reader.columnNames(), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
      } catch (err) {
        if (timedOut) throw refused(`it ran longer than ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} and was stopped`);
        if (err instanceof UserError) throw err;
        throw refused(oneLine(err));
      } finally {
        clearTimeout(timer);
        prepared.destroySync();
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
