/**
 * Applies a Snowflake DDL script one statement at a time (the driver runs one statement per
 * call), then checks the stage can list the lake.
 */
import type { ApplyResult, SqlConnection } from '../warehouse-target.js';

/**
 * Splits a script on the `;` that end statements: not those inside '…' strings (with '' or \'
 * escapes), "…" identifiers, $$…$$ bodies, -- or // line comments, or block comments. Comments
 * before a statement are dropped; a chunk that is only comments is no statement.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const text = stripLeadingComments(script.slice(start, end));
    if (text !== '') statements.push(text);
  };
  while (i < script.length) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "'") {
      i = skipQuoted(script, i, "'", true);
    } else if (c === '"') {
      i = skipQuoted(script, i, '"', false);
    } else if (c === '$' && next === '$') {
      const end = script.indexOf('$$', i + 2);
      if (end === -1) throw new Error(`The SQL has a $$ body that never ends (from offset ${i}).`);
      i = end + 2;
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`The SQL has a /* comment that never ends (from offset ${i}).`);
      i = end + 2;
    } else if (c === ';') {
      push(i);
      i += 1;
      start = i;
    } else {
      i += 1;
    }
  }
  push(script.length);
  return statements;
}

function skipQuoted(script: string, open: number, quote: string, backslash: boolean): number {
  let i = open + 1;
  while (i < script.length) {
    const c = script[i];
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (script[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  throw new Error(`The SQL has a ${quote} quote that never closes (from offset ${open}).`);
}

function stripLeadingComments(chunk: string): string {
  let text = chunk.trim();
  for (;;) {
    if (text.startsWith('--') || text.startsWith('//')) {
      const end = text.indexOf('\n');
      text = end === -1 ? '' : text.slice(end + 1).trim();
    } else if (text.startsWith('/*')) {
      const end = text.indexOf('*/');
      text = end === -1 ? '' : text.slice(end + 2).trim();
    } else {
      return text;
    }
  }
}

/** The fully qualified name of the stage a script creates (the first CREATE STAGE). */
export function stageOf(statements: readonly string[]): string | null {
  for (const sql of statements) {
    const match = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?STAGE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))*)/i.exec(sql);
    if (match) return match[1]!;
  }
  return null;
}

/** The query that checks the stage can list and read the lake: one part file's name, or none. */
export function smokeTestSql(stage: string): string {
  // Under vehicle/ only: the integration's role may list the entity folders and nothing above
  // them (infra/snowflake-access.ts), so a listing of the stage's root is refused. The PATTERN
  // keeps to part files, which the stage's file format can read.
  return `SELECT metadata$filename FROM @${stage}/vehicle/ (PATTERN => '.*/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{2}/part-[0-9]{5}[.](parquet|avro)') LIMIT 1`;
}

function firstLine(sql: string): string {
  return sql.split('\n', 1)[0]!.trim();
}

/** Runs every statement of the DDL in order, then the stage smoke test. */
export async function applySnowflake(connection: SqlConnection, ddl: string): Promise<ApplyResult> {
  const statements = splitSqlStatements(ddl);
  const stage = stageOf(statements);
  if (stage === null) throw new Error('The DDL creates no stage, so there is nothing to smoke-test: give it the whole script snowflakeDdl() wrote.');
  for (const [index, sql] of statements.entries()) {
    try {
      await connection.execute(sql);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Snowflake statement ${index + 1} of ${statements.length} failed (${firstLine(sql)}): ${why}`, { cause: error });
    }
  }
  let rows: Record<string, unknown>[];
  const smoke = smokeTestSql(stage);
  try {
    rows = await connection.execute(smoke);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`The stage smoke test failed (${smoke}): ${why}`, { cause: error });
  }
  return { statements: statements.length, smokeTest: rows.length > 0 ? 'ok' : 'empty' };
}
