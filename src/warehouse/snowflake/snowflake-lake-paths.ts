/** `date` and `hour` of a lake file from its path (`…/date=YYYY-MM-DD/hour=HH/part-NNNNN.ext`), as Snowflake SQL. */
export function partitionDate(path: string): string {
  return `TO_DATE(SPLIT_PART(SPLIT_PART(${path}, '/date=', 2), '/', 1), 'YYYY-MM-DD')`;
}

export function partitionHour(path: string): string {
  return `TO_NUMBER(SPLIT_PART(SPLIT_PART(${path}, '/hour=', 2), '/', 1))`;
}
