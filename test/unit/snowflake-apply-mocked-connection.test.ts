import { describe, expect, it } from 'vitest';
import { applySnowflake, splitSqlStatements } from '../../src/warehouse/snowflake/snowflake-apply.js';
import { projectSnowflakeDdl } from '../../src/warehouse/snowflake/snowflake-project-ddl.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';

/** A fake connection: records every statement, answers with recorded result shapes. */
class RecordingConnection implements SqlConnection {
  readonly sent: string[] = [];
  constructor(private readonly answer: (sql: string, index: number) => Record<string, unknown>[]) {}
  async execute(sql: string): Promise<Record<string, unknown>[]> {
    this.sent.push(sql);
    return this.answer(sql, this.sent.length - 1);
  }
  async close(): Promise<void> {}
}

// Shapes snowflake-sdk returns: DDL answers one status row; a stage query, a row per file.
const STATUS = [{ status: 'Statement executed successfully.' }];
const STAGE_ROW = [{ METADATA$FILENAME: 'vehicle/date=2019-06-01/hour=15/part-00000.parquet' }];

const DDL = projectSnowflakeDdl({
  lakeUrl: 's3://eventlake-lake/prod/',
  format: 'parquet',
  database: 'analytics',
  schema: 'eventlake',
  integration: 'eventlake_s3',
  awsRoleArn: 'arn:aws:iam::123456789012:role/eventlake-snowflake',
  warehouse: 'transform_wh',
});

describe('applySnowflake (mocked connection)', () => {
  it('sends every statement in order and whole, then the stage smoke test last', async () => {
    const connection = new RecordingConnection((sql) => (sql.startsWith('SELECT metadata$filename') ? STAGE_ROW : STATUS));
    const result = await applySnowflake(connection, DDL);
    const statements = splitSqlStatements(DDL);
    expect(result).toEqual({ statements: statements.length, smokeTest: 'ok' });
    expect(connection.sent).toHaveLength(statements.length + 1);
    expect(connection.sent.slice(0, -1)).toEqual(statements);
    expect(connection.sent[0]).toMatch(/^CREATE STORAGE INTEGRATION IF NOT EXISTS "EVENTLAKE_S3"\n {2}TYPE = EXTERNAL_STAGE/);
    expect(connection.sent.at(-2)).toBe('ALTER TASK "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURLY" RESUME');
    expect(connection.sent.at(-1)).toBe(
      `SELECT metadata$filename FROM @"ANALYTICS"."EVENTLAKE"."LAKE_STAGE"/vehicle/ (PATTERN => '.*/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{2}/part-[0-9]{5}[.](parquet|avro)') LIMIT 1`,
    );
    // Rejoined, the statements are the script's statements: nothing lost but comments and ;.
    const words = (s: string): string => s.replace(/--[^\n]*\n/g, '').replace(/[\s;]+/g, ' ').trim();
    expect(words(connection.sent.slice(0, -1).join(';\n'))).toBe(words(DDL));
  });

  it('keeps a $$ body whole, with the ; and quotes inside it', async () => {
    const connection = new RecordingConnection((sql) => (sql.startsWith('SELECT metadata$filename') ? STAGE_ROW : STATUS));
    await applySnowflake(connection, DDL);
    const procedure = connection.sent.find((s) => s.startsWith('CREATE OR REPLACE PROCEDURE'))!;
    expect(procedure).toMatch(/AS\n\$\$\nDECLARE\n[\s\S]*BEGIN TRANSACTION;[\s\S]*COMMIT;[\s\S]*END;\n\$\$$/);
    expect(connection.sent.filter((s) => s.includes('$$'))).toEqual([procedure]);
  });

  it('splits around strings, quoted identifiers and comments holding ; or quotes', () => {
    const script = [
      "-- the driver's comment; not a statement",
      "INSERT INTO t VALUES ('a;b', 'it''s', 'back\\'slash;');",
      '/* block; with \'quote */ CREATE TABLE "we;ird" (x INT);',
      'CREATE PROCEDURE p() RETURNS INT LANGUAGE SQL AS $$ BEGIN SELECT 1; RETURN 2; END; $$;',
      '// trailing comment only',
    ].join('\n');
    expect(splitSqlStatements(script)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s', 'back\\'slash;')",
      'CREATE TABLE "we;ird" (x INT)',
      'CREATE PROCEDURE p() RETURNS INT LANGUAGE SQL AS $$ BEGIN SELECT 1; RETURN 2; END; $$',
    ]);
    expect(() => splitSqlStatements('SELECT $$ never ends')).toThrow(/\$\$ body that never ends/);
    expect(() => splitSqlStatements("SELECT 'open")).toThrow(/quote that never closes/);
  });

  it('says empty when the stage lists no part file yet', async () => {
    const connection = new RecordingConnection(() => []);
    expect(await applySnowflake(connection, DDL)).toMatchObject({ smokeTest: 'empty' });
  });

  it('stops at a failing statement and names its number and first line', async () => {
    const connection = new RecordingConnection((sql) => {
      if (sql.startsWith('CREATE STAGE')) throw new Error("SQL access control error: Insufficient privileges to operate on integration 'EVENTLAKE_S3'");
      return STATUS;
    });
    const statements = splitSqlStatements(DDL);
    const index = statements.findIndex((s) => s.startsWith('CREATE STAGE'));
    await expect(applySnowflake(connection, DDL)).rejects.toThrow(
      `Snowflake statement ${index + 1} of ${statements.length} failed (CREATE STAGE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_STAGE"): SQL access control error`,
    );
    expect(connection.sent).toHaveLength(index + 1);
  });

  it('refuses a script that creates no stage before sending anything', async () => {
    const connection = new RecordingConnection(() => STATUS);
    await expect(applySnowflake(connection, 'CREATE TABLE t (x INT);')).rejects.toThrow(/creates no stage/);
    expect(connection.sent).toEqual([]);
  });
});
