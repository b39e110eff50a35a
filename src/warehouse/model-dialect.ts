/**
 * What differs between the warehouses the models compile for (DuckDB, Snowflake): names,
 * surrogate keys, timestamp parts. Model sources call these as macros (`{{ key('a', 'b') }}`);
 * everything else in a model is SQL both dialects read alike.
 */
export interface ModelDialect {
  readonly name: 'duckdb' | 'snowflake';
  /** A model's or loaded table's name as SQL (`vehicle`; `"DB"."SCHEMA"."VEHICLE"`). */
  table(name: string): string;
  /** The build's changes table of a model or loaded table (see compiled-model.ts). */
  changesTable(name: string): string;
  /** The build's table of an incremental model's changed keys. */
  keysTable(name: string): string;
  /** A 64-bit surrogate key hashed from SQL expressions (stable across builds and hours). */
  key(expressions: readonly string[]): string;
  /** YYYYMMDD as an integer, of a timestamp expression (UTC). */
  dateKey(timestamp: string): string;
  /** The start of the UTC hour of a timestamp expression, a timestamp of the same type. */
  hourStart(timestamp: string): string;
  /** The minute of the day, 0..1439, of a timestamp expression (UTC). */
  minuteOfDay(timestamp: string): string;
  /** The ISO weekday, 1 (Monday) .. 7 (Sunday), of a date expression. */
  isoWeekday(date: string): string;
}
