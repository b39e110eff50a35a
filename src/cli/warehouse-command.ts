/** `eventlake warehouse build`, `eventlake query avg-distance` and `eventlake sql`: the embedded warehouse. */
import { Command, Option } from 'commander';
import { applySnowflakeDdl, explainOnSnowflake, lineageOnSnowflake, snowflakeDdl } from '../app/snowflake-target.js';
import type { FormatName } from '../formats/lake-format.js';
import { avgDistance, type RowSink, buildWarehouse, explainQuery, SQL_TIMEOUT_MS, streamSql, tableLineage } from '../app/warehouse.js';
import { printResult, type GlobalOptions } from './cli-context.js';
import { formatCount } from './format-figures.js';
import { loadSettings, type TargetFlags } from './settings.js';
import { formatOption, lakeOption, positiveInteger } from './shared-options.js';

export function warehouseCommand(global: () => GlobalOptions): Command {
  const warehouse = new Command('warehouse').description('the embedded DuckDB warehouse in the state folder');
  warehouse
    .command('build')
    .description('load the hours whose lake files changed, bring the models up to date (incremental ones for what changed) and run their data tests')
    .addOption(lakeOption())
    .option('--full-refresh', 'rebuild every model whole from all history')
    .action(async (opts: TargetFlags & { fullRefresh?: boolean }) => {
      const { fullRefresh, ...flags } = opts;
      const settings = await loadSettings(global(), flags);
      const report = await buildWarehouse(
        settings.orchestrator.state,
        settings.target.lake,
        (holder) => {
          if (!global().json) process.stderr.write(`eventlake: another warehouse build is running (${holder}); waiting for it\n`);
        },
        fullRefresh === true,
      );
      printResult(global(), report, () =>
        [
          `warehouse ${report.database}: ${report.loaded.length} partition(s) loaded, ${report.removed.length} removed, in ${report.seconds.toFixed(2)} s`,
          ...Object.entries(report.tables).map(([t, n]) => `  ${t.padEnd(30)} ${formatCount(n).padStart(12)} rows`),
          ...report.models.map(
            (m) =>
              `  ${m.name.padEnd(30)} ${formatCount(m.rows).padStart(12)} rows  ${m.materialized.padEnd(11)} ${
                m.build === 'unchanged' ? 'unchanged' : `${m.build}: -${formatCount(m.rowsRemoved)} +${formatCount(m.rowsWritten)}`
              }  ${m.tests} test${m.tests === 1 ? '' : 's'} passed`,
          ),
        ].join('\n'),
      );
    });
  for (const [name, description] of [
    ['ddl', 'print the complete Snowflake DDL for this lake: integration, stage, external tables, star schema, BI view, hourly task'],
    ['apply', 'run that DDL on Snowflake (credentials from SNOWFLAKE_* environment variables), then the stage smoke test'],
  ] as const) {
    warehouse
      .command(name)
      .description(description)
      .addOption(targetOption().makeOptionMandatory())
      .requiredOption('--lake-url <url>', 'the lake in S3, s3://bucket/prefix/')
      .requiredOption('--aws-role-arn <arn>', 'the IAM role Snowflake assumes to read the bucket')
      .option('--database <name>', 'Snowflake database', 'EVENTLAKE')
      .option('--schema <name>', 'Snowflake schema', 'LAKE')
      .option('--integration <name>', 'storage integration', 'EVENTLAKE_S3')
      .option('--warehouse <name>', 'virtual warehouse the hourly task runs on', 'COMPUTE_WH')
      .addOption(formatOption())
      .action(async (opts: SnowflakeFlags) => {
        const settings = await loadSettings(global(), opts.format === undefined ? {} : { format: opts.format });
        const options = {
          lakeUrl: opts.lakeUrl,
          format: settings.target.format,
          database: opts.database,
          schema: opts.schema,
          integration: opts.integration,
          awsRoleArn: opts.awsRoleArn,
          warehouse: opts.warehouse,
        };
        if (name === 'ddl') {
          const ddl = await snowflakeDdl(options);
          printResult(global(), { target: 'snowflake', ddl }, () => ddl);
          return;
        }
        const result = await applySnowflakeDdl(options);
        printResult(global(), result, () => `applied ${result.statements} statements; stage smoke test: ${result.smokeTest}`);
      });
  }
  return warehouse;
}

interface SnowflakeFlags {
  readonly target: 'snowflake';
  readonly lakeUrl: string;
  readonly awsRoleArn: string;
  readonly database: string;
  readonly schema: string;
  readonly integration: string;
  readonly warehouse: string;
  readonly format?: FormatName;
}

/** `--target snowflake`; the embedded DuckDB warehouse when absent (where a command has both). */
function targetOption(): Option {
  return new Option('--target <target>', 'the warehouse: the embedded one (default) or snowflake').choices(['snowflake']);
}

export function lineageCommand(global: () => GlobalOptions): Command {
  return new Command('lineage')
    .description('table-level lineage upstream of a table: models, tables, lake partitions, runs and sources (with --target snowflake: from ACCESS_HISTORY)')
    .argument('<table>', 'the table')
    .addOption(targetOption())
    .action(async (table: string, opts: { target?: 'snowflake' }) => {
      const result = opts.target === 'snowflake' ? await lineageOnSnowflake(table) : await tableLineage((await loadSettings(global())).orchestrator.state, table);
      printResult(global(), result, () => [`${result.table}:`, ...result.upstream.map((e) => `  ${e.from} → ${e.to}`)].join('\n'));
    });
}

export function queryCommand(global: () => GlobalOptions): Command {
  const query = new Command('query').description('answers from the warehouse');
  query
    .command('avg-distance')
    .description('average distance travelled by the vehicles of each operating period (of its own organization), in km')
    .option('--period <id>', 'one operating period')
    .action(async (opts: { period?: string }) => {
      const settings = await loadSettings(global());
      const rows = await avgDistance(settings.orchestrator.state, opts.period);
      printResult(global(), rows, () =>
        rows.length === 0
          ? 'no operating period with vehicles in it'
          : [
              'period_id            organization_id        vehicles      avg_km      total_km',
              ...rows.map(
                (r) =>
                  `${r.period_id.padEnd(20)} ${r.organization_id.padEnd(20)} ${String(r.vehicles).padStart(10)} ${r.avg_km.toFixed(6).padStart(11)} ${r.total_km.toFixed(3).padStart(13)}`,
              ),
            ].join('\n'),
      );
    });
  return query;
}

export function explainCommand(global: () => GlobalOptions): Command {
  return new Command('explain')
    .description('the plan of a query, and how many lake files and partitions it reads out of how many')
    .argument('<query>', 'the SQL to explain')
    .addOption(targetOption())
    .addOption(timeoutOption())
    .action(async (sql: string, opts: { target?: 'snowflake'; timeout: number }) => {
      if (opts.target === 'snowflake') {
        const remote = await explainOnSnowflake(sql);
        printResult(global(), remote, () =>
          [`reads ${remote.partitions_read} of ${remote.partitions_total} partition(s)`, ...(remote.warning ? [`warning: ${remote.warning}`] : [])].join('\n'),
        );
        return;
      }
      const settings = await loadSettings(global());
      const report = await explainQuery(settings.orchestrator.state, sql, opts.timeout * 1000);
      printResult(global(), report, () =>
        [
          `reads ${report.files_read} of ${report.files_total} lake file(s), ${report.partitions_read} of ${report.partitions_total} partition(s)`,
          ...(report.warning ? [`warning: ${report.warning}`] : []),
          JSON.stringify(report.plan, null, 2),
        ].join('\n'),
      );
    });
}

/** `--timeout <seconds>`: how long a console query may take, preparing included. */
function timeoutOption(): Option {
  return new Option('--timeout <seconds>', 'stop the query after this many seconds').argParser(positiveInteger('--timeout', 1, 86_400)).default(SQL_TIMEOUT_MS / 1000);
}

export function sqlCommand(global: () => GlobalOptions): Command {
  return new Command('sql')
    .description('a read-only SQL query on the warehouse (tables, the star schema, lake.* views); rows are printed as they come')
    .argument('<query>', 'the SQL to run')
    .addOption(new Option('--max-rows <n>', 'print at most this many rows').argParser(positiveInteger('--max-rows')).default(1_000_000))
    .addOption(new Option('--max-mb <n>', 'print at most about this many megabytes of rows').argParser(positiveInteger('--max-mb')).default(1024))
    .addOption(timeoutOption())
    .action(async (sql: string, opts: { maxRows: number; maxMb: number; timeout: number }) => {
      const settings = await loadSettings(global());
      const caps: RowCaps = { maxRows: opts.maxRows, maxBytes: opts.maxMb * 1024 * 1024 };
      await printRows(global().json ? 'json' : 'text', caps, (sink) => streamSql(settings.orchestrator.state, sql, sink, opts.timeout * 1000));
    });
}

interface RowCaps {
  readonly maxRows: number;
  /** Of the rows as JSON text. */
  readonly maxBytes: number;
}

/** Written out, waiting while stdout's buffer is full. */
function write(text: string): Promise<void> | void {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

const cell = (value: unknown): string => (value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/**
 * Prints a query's rows as they come, never holding the answer whole: tab-separated text under
 * a header, or (with --json) one JSON array written row by row, closed even when the query stops
 * early, so stdout stays valid JSON. At a cap it stops the query and says so on stderr.
 */
async function printRows(format: 'text' | 'json', caps: RowCaps, run: (sink: RowSink) => Promise<void>): Promise<void> {
  let columns: string[] = [];
  let started = false;
  let printed = 0;
  let bytes = 0;
  let capped: string | undefined;
  const sink: RowSink = {
    columns(names) {
      columns = names;
    },
    async rows(rows, sizes) {
      let text = '';
      if (!started) {
        started = true;
        text += format === 'json' ? '[' : `${columns.join('\t')}\n`;
      }
      let stop = false;
      for (const [i, row] of rows.entries()) {
        if (printed === caps.maxRows) capped = `the --max-rows cap of ${formatCount(caps.maxRows)} rows`;
        else if (bytes + (sizes[i] ?? 0) > caps.maxBytes) capped = `the --max-mb cap of ${formatCount(caps.maxBytes / 1024 / 1024)} MB`;
        if (capped) {
          stop = true;
          break;
        }
        bytes += sizes[i] ?? 0;
        text += format === 'json' ? `${printed === 0 ? '' : ',\n'}${JSON.stringify(row)}` : `${columns.map((c) => cell(row[c])).join('\t')}\n`;
        printed += 1;
      }
      await write(text);
      return !stop;
    },
  };
  try {
    await run(sink);
  } finally {
    if (format === 'json') await write(started ? ']\n' : '');
    else if (!started && columns.length > 0) await write(`${columns.join('\t')}\n`);
  }
  if (format === 'json' && !started) await write('[]\n');
  if (capped) process.stderr.write(`eventlake: stopped after ${formatCount(printed)} row(s), at ${capped}: the query has more (raise the cap or narrow the query)\n`);
}
