/**
 * The explain report's reading of a plan (issue 21 item 5), on plans of the shapes DuckDB 1.5
 * prints: which entity each Parquet scan reads when its columns do not say, told by DuckDB's own
 * file counts; and what the query names, from DuckDB's parse tree.
 */
import { describe, expect, it } from 'vitest';
import { explainReport, type LakeFile, type PlanNode } from '../../src/warehouse/explain-report.js';
import { namedSources } from '../../src/warehouse/explain-sources.js';

const file = (entity: string, hour: number, format: 'parquet' | 'avro' = 'parquet'): LakeFile => ({
  entity,
  date: '2019-06-01',
  hour,
  format,
  path: `/lake/${entity}/date=2019-06-01/hour=${hour}/part-00000.${format}`,
});
const scan = (info: Record<string, unknown>): PlanNode => ({ name: 'READ_PARQUET ', extra_info: { Function: 'READ_PARQUET', ...info } });
const join = (...children: PlanNode[]): PlanNode[] => [{ name: 'HASH_JOIN', extra_info: { 'Join Type': 'INNER' }, children }];
const views = [
  { kind: 'view', entity: 'vehicle' },
  { kind: 'view', entity: 'operating_period' },
] as const;
const noColumns = new Map<string, string>();

describe('the Parquet scans of a plan, per entity', () => {
  it('tells two scans of as many files apart by the file count their filters give', () => {
    // vehicle has hours 1 and 2, operating_period hours 2 and 3: only one reading gives DuckDB's counts.
    const lake = [file('vehicle', 1), file('vehicle', 2), file('operating_period', 2), file('operating_period', 3)];
    const plan = join(
      scan({ Projections: 'organization_id', 'File Filters': '(hour = 1)', 'Scanning Files': '1/2' }),
      scan({ Projections: 'organization_id', 'File Filters': '(hour = 3)', 'Scanning Files': '1/2' }),
    );
    const report = explainReport(plan, lake, views, noColumns);
    expect(report.entities.map((e) => [e.entity, e.files_read, e.partitions_read, e.exact])).toEqual([
      ['operating_period', 1, 1, true],
      ['vehicle', 1, 1, true],
    ]);
    expect(report.exact).toBe(true);
  });

  it('says it is not exact when the readings give other figures, and gives upper bounds', () => {
    // Both entities have two files; one scan reads both of its files, the other one file by a filter not understood.
    const lake = [file('vehicle', 1), file('vehicle', 2), file('operating_period', 1), file('operating_period', 2)];
    const plan = join(
      scan({ Projections: 'organization_id' }),
      scan({ Projections: 'organization_id', 'File Filters': "(strftime(date, '%d') = '01')", 'Scanning Files': '1/2' }),
    );
    const report = explainReport(plan, lake, views, noColumns);
    expect(report.exact).toBe(false);
    expect(report.reason).toMatch(/the plan does not tell which of its Parquet scans reads which entity/);
    for (const e of report.entities) {
      expect(e.files_read).toBeLessThanOrEqual(e.files_total);
      expect(e.files_read).toBeGreaterThanOrEqual(1);
    }
  });

  it('counts an entity named but pruned away as read none, and one without Parquet files by its Avro scan', () => {
    const lake = [file('vehicle', 1), file('operating_period', 1, 'avro'), file('operating_period', 2, 'avro')];
    const plan: PlanNode[] = [
      {
        name: 'HASH_JOIN',
        children: [
          scan({ Projections: 'vehicle_id', 'File Filters': '(hour = 5)', 'Scanning Files': '0/1' }),
          { name: 'SEQ_SCAN ', extra_info: { Table: 'warehouse.main.operating_period', Filters: ['hour=2'] } },
        ],
      },
    ];
    const report = explainReport(plan, lake, views, new Map([['vehicle_id', 'vehicle']]));
    expect(report.entities.map((e) => [e.entity, e.files_read, e.files_total, e.partitions_read, e.partitions_total, e.exact])).toEqual([
      ['operating_period', 1, 2, 1, 2, true],
      ['vehicle', 0, 1, 0, 1, true],
    ]);
  });
});

describe('a count(*) DuckDB answers while planning', () => {
  it('counts the files whose footers it read then, and says so', () => {
    const lake = [file('vehicle', 1), file('vehicle', 2)];
    const plan: PlanNode[] = [{ name: 'UNGROUPED_AGGREGATE', children: [{ name: 'COLUMN_DATA_SCAN', extra_info: {} }] }];
    const report = explainReport(plan, lake, [{ kind: 'files', patterns: ['/lake/vehicle/*/hour=1/*.parquet'], files: [lake[0]?.path ?? ''] }], noColumns);
    expect(report.entities.map((e) => [e.entity, e.files_read, e.files_total, e.exact])).toEqual([['vehicle', 1, 2, false]]);
    expect(report.reason).toMatch(/DuckDB answered from its files' metadata while planning/);
  });
});

describe('what a query names, from the parse tree', () => {
  const base = (schema: string, table: string): unknown => ({ type: 'BASE_TABLE', schema_name: schema, table_name: table, catalog_name: '' });
  const constant = (value: string): unknown => ({ class: 'CONSTANT', type: 'VALUE_CONSTANT', value: { type: { id: 'VARCHAR' }, is_null: false, value } });
  const parquet = (arg: unknown): unknown => ({ type: 'TABLE_FUNCTION', function: { class: 'FUNCTION', function_name: 'read_parquet', children: [arg] } });

  it('finds lake views, internal tables and Parquet paths, and nothing else', () => {
    const tree = {
      statements: [
        {
          node: {
            from_table: {
              left: base('lake', 'vehicle'),
              right: { left: base('', 'x'), right: { left: base('main', 'operating_period'), right: base('', '/lake/vehicle/x.parquet') } },
            },
            cte: { select: [parquet(constant('/lake/vehicle/*/*/*.parquet')), parquet({ class: 'FUNCTION', function_name: 'list_value', children: [constant('/a'), constant('/b')] })] },
            where: parquet({ class: 'COLUMN_REF', column_names: ['p'] }),
          },
        },
      ],
    };
    expect(namedSources(tree, ['vehicle', 'operating_period'])).toEqual({
      views: ['vehicle'],
      tables: ['operating_period'],
      paths: [['/lake/vehicle/x.parquet'], ['/lake/vehicle/*/*/*.parquet'], ['/a', '/b'], undefined],
    });
  });
});
