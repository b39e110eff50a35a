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
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/open-duckdb.js';
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
  return (StatementType[type] as string | undefined)?.replaceAll('_', ' ') ?? `statement type ${type}`;
}

export async function openWarehouseReader(stateDir: string): Promise<WarehouseReader> {
  const database = join(stateDir, WAREHOUSE_FILE);
  if (!existsSync(database)) throw new UserError(`no warehouse in ${stateDir} yet: run eventlake warehouse build first`);
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
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
    if (type !== StatementType.SELECT) {
      prepared.destroySync();
      // EXPLAIN too: EXPLAIN ANALYZE runs what it explains (ask for the plan with explain instead).
      const hint = type === StatementType.EXPLAIN ? ' (ask for the plan with the explain option instead)' : '';
      throw refused(`only reading is allowed here: DuckDB parses this as ${kindOf(type)}, not SELECT${hint}`);
    }
    return prepared;
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
    async read(sql, { maxRows, timeoutMs }) {
      const prepared = await prepareSelect(sql);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, timeoutMs);
      try {
        // One row past the cap tells whether there were more, without reading them all.
        const reader = await prepared.streamAndReadUntil(maxRows + 1);
        const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
        return { columns: reader.columnNames(), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
      } catch (err) {
        if (timedOut) throw refused(`it ran longer than ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} and was stopped`);
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
