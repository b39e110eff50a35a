/**
 * What a query reads of the lake, per entity, from DuckDB's own plan. The lake views list their
 * Parquet files explicitly (lake-views.ts), so each Parquet scan's `Scanning Files: k/n` is
 * DuckDB's own count of the files it reads once hive-partition filters prune them; a scan
 * without that line reads all its files. Which files (and so which partitions) are read is
 * found by evaluating the scan's printed `File Filters` (plan-filters.ts) against the lake's file
 * list, and kept only when it agrees with DuckDB's count; otherwise the report says it is not
 * exact, and why, rather than give a wrong count. Which entity a scan reads is told by its
 * columns, else by which of the sources the query names (explain-sources.ts) agree with its
 * counts. Nothing of the plan is ever run.
 *
 * Avro partitions are read from the internal table they were loaded into: counted as those the
 * table scan's filters admit, all of them without a filter (not exact when a filter is not
 * understood).
 */
import { planScans, type ParquetScan, type PlanNode } from './plan-scans.js';
import { understoodFilter } from './plan-filters.js';

export type { PlanNode } from './plan-scans.js';

/** One lake file the warehouse's views were made of. */
export interface LakeFile {
  readonly entity: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly hour: number;
  readonly format: 'parquet' | 'avro';
  readonly path: string;
}

/** What a query names, told by DuckDB's parser: a lake view, an internal table, or files by path. */
export type ExplainSource =
  | { readonly kind: 'view'; readonly entity: string }
  | { readonly kind: 'table'; readonly entity: string }
  /** `read_parquet('<pattern>')`, `FROM '<file>'`: the files the patterns match (undefined: not known). */
  | { readonly kind: 'files'; readonly patterns: readonly string[]; readonly files: readonly string[] | undefined };

export interface EntityRead {
  readonly entity: string;
  readonly files_read: number;
  readonly files_total: number;
  readonly partitions_read: number;
  readonly partitions_total: number;
  /** False when a figure is an upper bound; `reason` says why. */
  readonly exact: boolean;
  readonly reason: string | null;
}

export interface ExplainReport {
  readonly plan: unknown;
  /** Sums over `entities`. */
  readonly files_read: number;
  readonly files_total: number;
  readonly partitions_read: number;
  readonly partitions_total: number;
  readonly warning: string | null;
  readonly exact: boolean;
  readonly reason: string | null;
  /** Each lake entity the query names, read or not. */
  readonly entities: readonly EntityRead[];
}
/** Columns only one entity has: they tell which entity a Parquet scan reads. */
export type IdentifyingColumns = ReadonlyMap<string, string>;

/** Where a Parquet scan reads from: a lake view's files, or files a query names by path. */
interface ParquetSource {
  readonly entity: string | undefined;
  readonly files: readonly string[];
  readonly label: string;
}

/** What one scan reads: its files when known, else only how many. */
interface ScanRead {
  readonly source: ParquetSource;
  readonly files: ReadonlySet<string> | undefined;
  readonly count: number;
  /** False when the filters understood keep another number of files than DuckDB reads: not this source. */
  readonly consistent: boolean;
  readonly reason: string | null;
}

const oneLine = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
};

/**
 * The files a scan of `source` reads: DuckDB's count, and which ones when its file filters,
 * evaluated here, keep exactly that many.
 */
function scanRead(scan: ParquetScan, source: ParquetSource, byPath: ReadonlyMap<string, LakeFile>): ScanRead {
  const all = new Set(source.files);
  if (scan.filesTotal !== undefined && scan.filesTotal !== source.files.length) return { source, files: undefined, count: 0, consistent: false, reason: null };
  if (scan.filesRead === undefined || scan.filesRead === source.files.length) return { source, files: all, count: all.size, consistent: true, reason: null };
  if (scan.filesRead === 0) return { source, files: new Set(), count: 0, consistent: true, reason: null };
  // Filters understood keep a superset of the files read: when it holds DuckDB's count, it is them.
  const filter = scan.fileFilters === undefined ? undefined : understoodFilter(scan.fileFilters)?.filter;
  if (filter && source.files.every((f) => byPath.has(f))) {
    const kept = source.files.filter((f) => filter(byPath.get(f) as LakeFile));
    if (kept.length === scan.filesRead) return { source, files: new Set(kept), count: kept.length, consistent: true, reason: null };
    if (kept.length < scan.filesRead) return { source, files: undefined, count: 0, consistent: false, reason: null };
  }
  return {
    source,
    files: undefined,
    count: scan.filesRead,
    consistent: true,
    reason: `DuckDB reads ${scan.filesRead} of the ${source.files.length} files of ${source.label}, but which ones its filters keep is not understood here (${oneLine(scan.fileFilters ?? 'no filter printed')})`,
  };
}

/** At most this many ways of reading the scans as sources are tried. */
const MAX_READINGS = 4096;

/**
 * Which source each Parquet scan reads. A scan's projected columns may name its entity; its file
 * count and filters must agree with the source's files. Where several readings remain (two
 * entities of as many files, read with columns both have), all are tried, those that leave a
 * named source unread only when no other is left: when they give the same figures per entity,
 * the figures are exact whichever scan reads which.
 */
function readScans(
  scans: readonly ParquetScan[],
  sources: readonly ParquetSource[],
  identifying: IdentifyingColumns,
  byPath: ReadonlyMap<string, LakeFile>,
): { reads: ScanRead[]; ambiguous: boolean; unread: ParquetScan[] } {
  const options: ScanRead[][] = [];
  const unread: ParquetScan[] = [];
  for (const scan of scans) {
    const entity = scan.projections.map((p) => identifying.get(p)).find((e) => e !== undefined);
    const candidates = sources.filter((s) => entity === undefined || s.entity === entity).map((s) => scanRead(scan, s, byPath)).filter((r) => r.consistent);
    if (candidates.length === 0) unread.push(scan);
    else options.push(candidates);
  }
  const readings: ScanRead[][] = [];
  const total = options.reduce((n, o) => n * o.length, 1);
  if (total > MAX_READINGS) return { reads: options.map((o) => o[0] as ScanRead), ambiguous: true, unread };
  const walk = (i: number, chosen: ScanRead[]): void => {
    if (i === options.length) readings.push(chosen);
    else for (const option of options[i] ?? []) walk(i + 1, [...chosen, option]);
  };
  walk(0, []);
  const covering = readings.filter((reading) => sources.every((s) => reading.some((r) => r.source === s)));
  const kept = covering.length > 0 ? covering : readings;
  const figures = (reading: ScanRead[]): string => JSON.stringify(entityFigures(reading, byPath));
  const first = kept[0] ?? [];
  return { reads: first, ambiguous: kept.some((reading) => figures(reading) !== figures(first)), unread };
}

/** Per entity, what a reading gives: files and partitions known to be read, and files read unknown which. */
function entityFigures(reads: readonly ScanRead[], byPath: ReadonlyMap<string, LakeFile>): [string, number, number, number][] {
  const out = new Map<string, { files: Set<string>; unknown: number }>();
  for (const r of reads) {
    const entity = r.source.entity ?? '';
    const figures = out.get(entity) ?? { files: new Set<string>(), unknown: 0 };
    out.set(entity, figures);
    if (r.files) r.files.forEach((f) => figures.files.add(f));
    else figures.unknown += r.count;
  }
  const partitions = (files: Set<string>): number => new Set([...files].map((f) => byPath.get(f)).map((f) => (f ? `${f.date} ${f.hour}` : ''))).size;
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([e, f]) => [e, f.files.size, partitions(f.files), f.unknown]);
}

/** The entity all of these files belong to, if one. */
function entityOfFiles(files: readonly string[], byPath: ReadonlyMap<string, LakeFile>): string | undefined {
  const entities = new Set(files.map((f) => byPath.get(f)?.entity));
  return entities.size === 1 ? [...entities][0] : undefined;
}

/** The report of a plan: per entity the query names, files and partitions read out of total. */
export function explainReport(plan: readonly PlanNode[], lakeFiles: readonly LakeFile[], named: readonly ExplainSource[], identifying: IdentifyingColumns): ExplainReport {
  const byPath = new Map(lakeFiles.map((f) => [f.path, f]));
  const filesOf = (entity: string): LakeFile[] => lakeFiles.filter((f) => f.entity === entity);
  const sources: ParquetSource[] = [];
  const reasons: string[] = [];
  const entities = new Set<string>();
  for (const source of named) {
    if (source.kind === 'view') {
      entities.add(source.entity);
      const files = filesOf(source.entity).filter((f) => f.format === 'parquet').map((f) => f.path);
      if (files.length > 0) sources.push({ entity: source.entity, files, label: `lake.${source.entity}` });
    } else if (source.kind === 'files') {
      if (source.files === undefined) {
        reasons.push(`the files of ${source.patterns.join(', ')} could not be listed`);
        continue;
      }
      const entity = entityOfFiles(source.files, byPath);
      if (entity !== undefined) entities.add(entity);
      sources.push({ entity, files: [...source.files].sort(), label: source.patterns.join(', ') });
    }
  }
  const { parquet, tables, answeredWhilePlanning } = planScans(plan);
  const { reads: scanned, ambiguous, unread } = readScans(parquet, sources, identifying, byPath);
  // No scan of a source, but values worked out while planning: DuckDB read its files' footers then.
  const footers: ScanRead[] = answeredWhilePlanning
    ? sources
        .filter((s) => !scanned.some((r) => r.source === s))
        .map((source) => ({
          source,
          files: new Set(source.files),
          count: source.files.length,
          consistent: true,
          reason: `the plan holds no scan of ${source.label}: DuckDB answered from its files' metadata while planning, reading each file's footer (counted as read)`,
        }))
    : [];
  const reads = [...scanned, ...footers];
  for (const scan of unread) {
    reasons.push(`a Parquet scan${scan.filesTotal === undefined ? '' : ` of ${scan.filesTotal} files`} could not be told to read one of the query's sources`);
  }
  for (const r of reads) {
    if (r.source.entity === undefined) reasons.push(`${r.source.label} names files not all of one lake entity: their ${r.count} file(s) read are not counted`);
  }
  const internal = new Set(named.filter((s) => s.kind === 'table').map((s) => s.entity));

  const report: EntityRead[] = [];
  for (const entity of [...entities].sort()) {
    const all = filesOf(entity);
    const partitionOf = (path: string): string | undefined => {
      const f = byPath.get(path);
      return f && `${f.date} ${f.hour}`;
    };
    const partitionsTotal = new Set(all.map((f) => partitionOf(f.path))).size;
    const read = new Set<string>();
    let unknownFiles = 0;
    const why: string[] = ambiguous ? ["the plan does not tell which of its Parquet scans reads which entity, and the possible readings give other figures: these are one of them, as upper bounds"] : [];
    for (const r of reads.filter((r) => r.source.entity === entity)) {
      if (r.files) {
        r.files.forEach((f) => read.add(f));
        if (r.reason) why.push(r.reason);
      } else {
        unknownFiles += r.count;
        why.push(r.reason ?? '');
      }
    }
    // The view's Avro part: the internal table's scans, when the query does not name that table itself.
    const avro = all.filter((f) => f.format === 'avro');
    const avroScans = tables.filter((t) => t.table === entity && t.schema === 'main');
    if (avro.length > 0 && avroScans.length > 0 && named.some((s) => s.kind === 'view' && s.entity === entity)) {
      if (internal.has(entity)) why.push(`the query also reads the internal table ${entity}, whose scans cannot be told from those of lake.${entity}'s Avro partitions`);
      for (const scan of avroScans) {
        const understood = scan.filters === undefined ? undefined : understoodFilter(scan.filters);
        const kept = understood ? avro.filter((f) => understood.filter(f)) : avro;
        kept.forEach((f) => read.add(f.path));
        if (scan.filters !== undefined && !understood?.complete && kept.length > 0) {
          why.push(`lake.${entity}'s Avro partitions are read from the internal table ${entity} with filters not all understood here (${oneLine(scan.filters)}): those the rest admit are counted`);
        }
      }
    }
    const foreign = [...read].filter((f) => !byPath.has(f)).length;
    const filesTotal = all.length + foreign;
    const partitionsRead = new Set([...read].map(partitionOf).filter((p) => p !== undefined)).size;
    report.push({
      entity,
      files_read: Math.min(filesTotal, read.size + unknownFiles),
      files_total: filesTotal,
      partitions_read: Math.min(partitionsTotal, partitionsRead + unknownFiles),
      partitions_total: partitionsTotal,
      exact: why.length === 0,
      reason: why.length === 0 ? null : [...new Set(why)].join('; '),
    });
    reasons.push(...why);
  }
  const whole = report.filter((e) => e.exact && e.files_total > 1 && e.files_read === e.files_total).map((e) => `lake.${e.entity}`);
  const warning = whole.length > 0 ? `${whole.join(' and ')} ${whole.length === 1 ? 'is' : 'are'} read whole: filter on date and hour to read only the partitions you need` : null;
  const inexact = [...new Set(reasons)];
  const sum = (key: 'files_read' | 'files_total' | 'partitions_read' | 'partitions_total'): number => report.reduce((n, e) => n + e[key], 0);
  return {
    plan,
    files_read: sum('files_read'),
    files_total: sum('files_total'),
    partitions_read: sum('partitions_read'),
    partitions_total: sum('partitions_total'),
    warning,
    exact: inexact.length === 0,
    reason: inexact.length === 0 ? null : inexact.join('; '),
    entities: report,
  };
}
