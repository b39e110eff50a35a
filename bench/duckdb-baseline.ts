/**
 * The baseline: DuckDB alone doing the same job on the same input — read the hour's JSON
 * Lines, flatten each entity, write hive-partitioned Parquet. Run as its own process by the
 * benchmark so its time and peak memory are measured the same way as eventlake's.
 *
 *   node dist/bench/duckdb-baseline.js <source-dir> <out-dir> [glob]
 */
import { mkdir } from 'node:fs/promises';
import { openDuckDb } from '../src/duckdb/open-duckdb.js';
import { sqlString } from '../src/duckdb/sql-string.js';

// The glob under the source folder is a parameter so the gzipped hour can be read as
// `**/*-events.json.gz`: DuckDB decompresses gzip itself, knowing it from the name.
const [source, out, glob = '**/*-events.json'] = process.argv.slice(2);
if (!source || !out) throw new Error('usage: duckdb-baseline <source-dir> <out-dir> [glob]');

await mkdir(out, { recursive: true });
const db = await openDuckDb();
const started = performance.now();
const json =
  `read_json(${sqlString(`${source}/${glob}`)}, format = 'newline_delimited', filename = true, ` +
  `columns = {"event": 'VARCHAR', "on": 'VARCHAR', "at": 'TIMESTAMPTZ', "organization_id": 'VARCHAR', ` +
  `"data": 'STRUCT(id VARCHAR, location STRUCT(lat DOUBLE, lng DOUBLE, "at" TIMESTAMPTZ), start TIMESTAMPTZ, finish TIMESTAMPTZ)'})`;
// The hour comes from the object name, as in eventlake.
const hive =
  "regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})-(\\d{1,2})-\\d{1,2}-\\d{1,2}-events', 1) AS date, " +
  "lpad(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})-(\\d{1,2})-\\d{1,2}-\\d{1,2}-events', 2), 2, '0') AS hour";
// One pass over the input, as a DuckDB user would write it: every entity's columns side by
// side, partitioned by entity, date and hour.
await db.run(
  `COPY (SELECT "on" AS entity, event, "at" AS event_at, organization_id, data.id AS id, ` +
    `data.location.lat AS lat, data.location.lng AS lng, data.location."at" AS location_at, ` +
    `data.start AS start_at, data.finish AS finish_at, filename AS source_object, ${hive} FROM ${json}) ` +
    `TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (entity, date, hour), OVERWRITE_OR_IGNORE)`,
);
const seconds = (performance.now() - started) / 1000;
const rows = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(`${out}/*/*/*/*.parquet`)})`);
process.stdout.write(`${JSON.stringify({ rows: rows.getRowObjectsJson()[0]?.['n'], seconds })}\n`);
