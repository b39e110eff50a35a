/** Rows per minute of a timestamp column of Parquet lake files, counted by DuckDB. */
import { openDuckDb } from '../../duckdb/open-duckdb.js';
import { sqlString } from '../../duckdb/sql-string.js';

export async function countParquetPerMinute(paths: readonly string[], column: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (paths.length === 0) return counts;
  const connection = await openDuckDb();
  try {
    const files = `[${paths.map(sqlString).join(', ')}]`;
    const reader = await connection.runAndReadAll(
      `SELECT CAST(epoch(date_trunc('minute', "${column.replaceAll('"', '""')}")) / 60 AS BIGINT) AS minute, count(*) AS n
       FROM read_parquet(${files}) WHERE "${column.replaceAll('"', '""')}" IS NOT NULL GROUP BY 1`,
    );
    for (const row of reader.getRowObjectsJson()) counts.set(Number(row['minute']), Number(row['n']));
    return counts;
  } finally {
    connection.closeSync();
  }
}
