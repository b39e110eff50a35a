/**
 * The generated Snowflake load procedure, run statement by statement on DuckDB standing in for
 * Snowflake (mocked: no Snowflake here). A small interpreter runs its Snowflake Scripting
 * (variables, SELECT … INTO, IF, RAISE, RETURN, one transaction); a few Snowflake functions are
 * DuckDB macros (MD5_NUMBER_LOWER64, TO_VARCHAR, DAYOFWEEKISO, TO_DATE, TO_NUMBER, HASH_AGG);
 * the external tables are tables, and their file lists change only when the procedure refreshes
 * them. What this shows is the protocol's effect on the project's models: a rerun hour leaves only
 * its new rows, a deleted hour leaves every model, and the result equals a load from scratch.
 * What it cannot show is that Snowflake accepts the SQL: that is checked only as text.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompiledModel } from '../../src/warehouse/compiled-model.js';
import { splitSqlStatements } from '../../src/warehouse/snowflake/snowflake-apply.js';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';
import { hourLoadBody } from '../../src/warehouse/snowflake/snowflake-hour-load.js';
import { projectModels } from '../../src/warehouse/snowflake/snowflake-models.js';
import { starSchemaTables } from '../../src/warehouse/snowflake/snowflake-star-schema.js';

const S = '"SF"."EL"';
const dialect = snowflakeDialect(S);
const models = projectModels(dialect);

const VEHICLE_COLUMNS = ['date', 'hour', 'event', 'event_at', 'organization_id', 'vehicle_id', 'lat', 'lng', 'location_at', 'source_object', 'source_line'];
const PERIOD_COLUMNS = ['date', 'hour', 'event', 'event_at', 'organization_id', 'period_id', 'start_at', 'finish_at', 'source_object', 'source_line'];
const TABLES = [
  { name: 'vehicle', columns: VEHICLE_COLUMNS },
  { name: 'operating_period', columns: PERIOD_COLUMNS },
];
const TYPES: Record<string, string> = {
  date: 'DATE', hour: 'INTEGER', event_at: 'TIMESTAMP', location_at: 'TIMESTAMP', start_at: 'TIMESTAMP', finish_at: 'TIMESTAMP',
  lat: 'DOUBLE', lng: 'DOUBLE', source_line: 'BIGINT',
};
const ddlColumns = (columns: readonly string[]): string => columns.map((c) => `"${c.toUpperCase()}" ${TYPES[c] ?? 'VARCHAR'}`).join(', ');

const body = hourLoadBody({
  database: '"SF"',
  schema: S,
  tables: TABLES.map(({ name, columns }) => ({
    name,
    lake: `${S}."LAKE_${name.toUpperCase()}"`,
    table: dialect.table(name),
    columns: columns.map((c) => `"${c.toUpperCase()}"`),
  })),
  loads: `${S}."LAKE_LOADS"`,
  hours: `${S}."LAKE_HOURS_TO_LOAD"`,
  models,
  dialect,
});

/** Snowflake SQL as DuckDB reads it (only what the generated procedure uses). */
function toDuckdb(sql: string): string {
  return sql
    .replace(/CREATE OR REPLACE TEMPORARY TABLE/g, 'CREATE OR REPLACE TABLE')
    .replace(/ CLUSTER BY \([^)]*\)/g, '')
    .replace(/ COPY GRANTS/g, '')
    .replace(/TABLE\("SF"\.INFORMATION_SCHEMA\.EXTERNAL_TABLE_FILES\(TABLE_NAME => '"SF"\."EL"\."(LAKE_[A-Z_]+)"'\)\)/g, '"SF"."EL"."REGISTERED_$1"')
    .replace(/HASH_AGG\(([^)]*)\)/g, 'bit_xor(hash($1))')
    .replace(/CURRENT_TIMESTAMP\(\)/g, 'now()');
}

const MACROS = [
  `CREATE MACRO md5_number_lower64(s) AS md5_number_lower(s)`,
  `CREATE MACRO to_varchar(x) AS CAST(x AS VARCHAR)`,
  `CREATE MACRO dayofweekiso(d) AS isodow(d)`,
  `CREATE MACRO to_date(x, f) AS CAST(x AS DATE)`,
  `CREATE MACRO to_number(x) AS CAST(x AS INTEGER)`,
];

interface Warehouse {
  readonly connection: DuckDBConnection;
  /** Statements the procedure ran, in order (for the refresh-before-listing check). */
  readonly ran: string[];
}

const opened: DuckDBInstance[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.closeSync();
});

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** The schema as the DDL leaves it: internal tables, loads, _MODELS and each model's (empty) table. */
async function warehouse(): Promise<Warehouse> {
  const db = await DuckDBInstance.create(':memory:');
  opened.push(db);
  const connection = await db.connect();
  await connection.run(`ATTACH ':memory:' AS "SF"`);
  await connection.run(`CREATE SCHEMA ${S}`);
  for (const macro of MACROS) await connection.run(macro);
  for (const { name, columns } of TABLES) {
    await connection.run(`CREATE TABLE ${S}."${name.toUpperCase()}" (${ddlColumns(columns)})`);
    await connection.run(`CREATE TABLE ${S}."LAKE_${name.toUpperCase()}" (${ddlColumns(columns)}, "FILE_NAME" VARCHAR)`);
    for (const files of ['FILES', 'REGISTERED']) {
      await connection.run(`CREATE TABLE ${S}."${files}_LAKE_${name.toUpperCase()}" ("FILE_NAME" VARCHAR, "FILE_SIZE" BIGINT, "LAST_MODIFIED" VARCHAR)`);
    }
  }
  await connection.run(`CREATE TABLE ${S}."LAKE_LOADS" ("ENTITY" VARCHAR, "DATE" DATE, "HOUR" INTEGER, "FINGERPRINT" UBIGINT, "FILES" BIGINT, "LOADED_AT" TIMESTAMP)`);
  for (const { sql } of starSchemaTables(S, models, dialect)) await connection.run(toDuckdb(sql).replace(/TIMESTAMP_LTZ/g, 'TIMESTAMP'));
  return { connection, ran: [] };
}

interface Row {
  readonly [column: string]: string | number | null;
}

/** Writes one hour of an entity into the lake (replacing that hour's files), as a publish does. */
async function publishHour(w: Warehouse, entity: string, date: string, hour: number, version: number, hourRows: readonly Row[]): Promise<void> {
  await removeHour(w, entity, date, hour);
  const table = `${S}."LAKE_${entity.toUpperCase()}"`;
  const file = `${entity}/date=${date}/hour=${String(hour).padStart(2, '0')}/part-00000.parquet`;
  const columns = entity === 'vehicle' ? VEHICLE_COLUMNS : PERIOD_COLUMNS;
  for (const [line, row] of hourRows.entries()) {
    const values = columns.map((c) => {
      const v = c === 'date' ? date : c === 'hour' ? hour : c === 'source_object' ? `obj-${date}-${hour}-v${version}` : c === 'source_line' ? line + 1 : row[c];
      return v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`;
    });
    await w.connection.run(`INSERT INTO ${table} VALUES (${values.join(', ')}, '${file}')`);
  }
  await w.connection.run(`INSERT INTO ${S}."FILES_LAKE_${entity.toUpperCase()}" VALUES ('${file}', ${hourRows.length * 100 + version}, 'v${version}')`);
}

async function removeHour(w: Warehouse, entity: string, date: string, hour: number): Promise<void> {
  const prefix = `${entity}/date=${date}/hour=${String(hour).padStart(2, '0')}/`;
  await w.connection.run(`DELETE FROM ${S}."LAKE_${entity.toUpperCase()}" WHERE "FILE_NAME" LIKE '${prefix}%'`);
  await w.connection.run(`DELETE FROM ${S}."FILES_LAKE_${entity.toUpperCase()}" WHERE "FILE_NAME" LIKE '${prefix}%'`);
}

/** CALL LOAD_LAKE_HOURS(): the procedure body interpreted on DuckDB. */
async function callLoad(w: Warehouse): Promise<string> {
  const declare = body.slice(body.indexOf('DECLARE\n') + 8, body.indexOf('\nBEGIN\n'));
  const vars = new Map<string, string>();
  const exceptions = new Map<string, string>();
  for (const line of declare.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const variable = /^(\w+) (?:INTEGER|BOOLEAN) DEFAULT (\w+);$/.exec(line);
    const exception = /^(\w+) EXCEPTION \(-\d+, '(.*)'\);$/.exec(line);
    if (variable) vars.set(variable[1]!, variable[2]!);
    else if (exception) exceptions.set(exception[1]!, exception[2]!.replaceAll("''", "'"));
    else throw new Error(`unknown declaration: ${line}`);
  }
  const main = body.slice(body.indexOf('\nBEGIN\n') + 7, body.lastIndexOf('\nEXCEPTION\n'));
  const substitute = (expression: string): string => expression.replace(/\b[a-z_]+\b/g, (name) => vars.get(name) ?? name);
  const value = async (expression: string): Promise<string> => {
    const [row] = await rows(w.connection, `SELECT ${substitute(expression)} AS v`);
    return String(row!['v']).toUpperCase() === 'TRUE' || String(row!['v']).toUpperCase() === 'FALSE' ? String(row!['v']).toUpperCase() : String(row!['v']);
  };
  const skipping: boolean[] = [];
  let inTransaction = false;
  try {
    for (let statement of splitSqlStatements(main)) {
      const ifMatch = /^IF \((.*)\) THEN\s+([\s\S]*)$/.exec(statement);
      if (ifMatch) {
        skipping.push(skipping.includes(true) || (await value(ifMatch[1]!)) !== 'TRUE');
        statement = ifMatch[2]!.trim();
      }
      if (statement === 'END IF') {
        skipping.pop();
        continue;
      }
      if (skipping.includes(true)) continue;
      w.ran.push(statement);
      const assign = /^(\w+) := ([\s\S]*)$/.exec(statement);
      const into = /^SELECT ([\s\S]*?) INTO ((?::\w+(?:, )?)+)(?: FROM ([\s\S]*))?$/.exec(statement);
      if (statement.startsWith('RETURN ')) {
        if (inTransaction) throw new Error('RETURN inside the transaction');
        return await value(statement.slice('RETURN '.length));
      } else if (statement.startsWith('RAISE ')) {
        throw new Error(exceptions.get(statement.slice('RAISE '.length)) ?? statement);
      } else if (statement.startsWith('ALTER SESSION ')) {
        continue;
      } else if (statement.startsWith('ALTER EXTERNAL TABLE ')) {
        const lake = /"(LAKE_[A-Z_]+)" REFRESH$/.exec(statement)![1]!;
        await w.connection.run(`DELETE FROM ${S}."REGISTERED_${lake}"`);
        await w.connection.run(`INSERT INTO ${S}."REGISTERED_${lake}" SELECT * FROM ${S}."FILES_${lake}"`);
      } else if (assign) {
        vars.set(assign[1]!, await value(assign[2]!));
      } else if (into) {
        const [row] = await rows(w.connection, toDuckdb(`SELECT ${into[1]}${into[3] ? ` FROM ${into[3]}` : ''}`));
        const names = into[2]!.split(', ').map((n) => n.slice(1));
        const values = Object.values(row!);
        names.forEach((n, i) => vars.set(n, String(values[i]).toUpperCase() === 'TRUE' || String(values[i]).toUpperCase() === 'FALSE' ? String(values[i]).toUpperCase() : String(values[i])));
      } else {
        if (statement === 'BEGIN TRANSACTION') inTransaction = true;
        if (statement === 'COMMIT') inTransaction = false;
        await w.connection.run(toDuckdb(statement));
      }
    }
    throw new Error('the procedure ended without RETURN');
  } catch (error) {
    if (inTransaction) await w.connection.run('ROLLBACK');
    throw error;
  }
}

/** Every model table's rows, sorted, for comparing two warehouses. */
async function contents(w: Warehouse): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of ['vehicle', 'operating_period', ...models.map((m: CompiledModel) => m.name)]) {
    const all = await rows(w.connection, `SELECT * FROM ${dialect.table(name)}`);
    out[name] = all.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
  }
  return out;
}

const at = (hour: number, minute: number): string => `2019-06-01 ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;

function vehicleRows(hour: number, lat: number): Row[] {
  return [0, 10, 20, 30].flatMap((minute) => [
    { event: 'update', event_at: at(hour, minute), organization_id: 'org-a', vehicle_id: 'v1', lat: lat + minute / 1000, lng: 13.4, location_at: at(hour, minute) },
    { event: 'update', event_at: at(hour, minute), organization_id: 'org-b', vehicle_id: 'v1', lat: 48.1, lng: 11.5 + minute / 1000, location_at: at(hour, minute) },
  ]);
}

function periodRows(hour: number): Row[] {
  return [
    { event: 'create', event_at: at(hour, 0), organization_id: 'org-a', period_id: `op-${hour}`, start_at: at(hour, 0), finish_at: at(hour, 59) },
    { event: 'create', event_at: at(hour, 0), organization_id: 'org-b', period_id: `op-${hour}`, start_at: at(hour, 0), finish_at: at(hour, 59) },
  ];
}

describe('the Snowflake load procedure emulated on DuckDB (mocked Snowflake: the protocol\'s effect, not Snowflake\'s acceptance)', () => {
  it('a rerun with corrected coordinates leaves only the corrected rows, a deleted hour leaves every model, and the result equals a load from scratch', async () => {
    const w = await warehouse();
    await publishHour(w, 'vehicle', '2019-06-01', 10, 1, vehicleRows(10, 52.5));
    await publishHour(w, 'vehicle', '2019-06-01', 11, 1, vehicleRows(11, 52.6));
    await publishHour(w, 'operating_period', '2019-06-01', 10, 1, periodRows(10));
    await publishHour(w, 'operating_period', '2019-06-01', 11, 1, periodRows(11));
    expect(await callLoad(w)).toBe('loaded 4 entity hours, removed 0, built ' + models.length + ' models whole');
    // The files were listed only after each external table was refreshed.
    for (const lake of ['LAKE_VEHICLE', 'LAKE_OPERATING_PERIOD']) {
      const refresh = w.ran.findIndex((s) => s.endsWith(`"${lake}" REFRESH`));
      const listing = w.ran.findIndex((s) => s.includes(`EXTERNAL_TABLE_FILES(TABLE_NAME => '${S}."${lake}"')`));
      expect(refresh).toBeGreaterThanOrEqual(0);
      expect(refresh).toBeLessThan(listing);
    }
    expect(await callLoad(w)).toBe('nothing changed');

    // Hour 10 rerun with corrected coordinates for org-a's v1.
    await publishHour(w, 'vehicle', '2019-06-01', 10, 2, vehicleRows(10, 40.0));
    expect(await callLoad(w)).toBe('loaded 1 entity hours, removed 0, built 0 models whole');
    const lats = await rows(w.connection, `SELECT DISTINCT round(lat, 3) AS lat FROM ${dialect.table('fact_vehicle_location')} WHERE location_at < TIMESTAMP '2019-06-01 11:00:00' AND lng = 13.4 ORDER BY 1`);
    expect(lats.map((r) => r['lat'])).toEqual([40, 40.01, 40.02, 40.03]);

    // Hour 11 deleted from the lake (both entities).
    await removeHour(w, 'vehicle', '2019-06-01', 11);
    await removeHour(w, 'operating_period', '2019-06-01', 11);
    expect(await callLoad(w)).toBe('loaded 0 entity hours, removed 2, built 0 models whole');
    const left = await rows(w.connection, `SELECT count(*) AS n FROM ${dialect.table('fact_vehicle_location')} WHERE location_at >= TIMESTAMP '2019-06-01 11:00:00'`);
    expect(Number(left[0]!['n'])).toBe(0);
    const periods = await rows(w.connection, `SELECT period_id AS pid FROM ${dialect.table('bi_avg_distance')} ORDER BY 1`);
    expect(periods.map((r) => r['pid'])).toEqual(['op-10', 'op-10']);

    // The same lake loaded from scratch.
    const fresh = await warehouse();
    await publishHour(fresh, 'vehicle', '2019-06-01', 10, 2, vehicleRows(10, 40.0));
    await publishHour(fresh, 'operating_period', '2019-06-01', 10, 1, periodRows(10));
    await callLoad(fresh);
    expect(await contents(w)).toEqual(await contents(fresh));
  });
});
