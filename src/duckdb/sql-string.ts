/** A SQL string literal. Its own module so SQL text can be built without loading DuckDB. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
