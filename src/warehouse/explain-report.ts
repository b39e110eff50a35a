/**
 * What a query reads of the lake, from DuckDB's own plan: each Parquet scan says how many files
 * it scans of how many (`Scanning Files: 1/48`) once hive-partition filters prune it, and which
 * filters it pushed to the files (`File Filters`). Partitions read are counted by evaluating those
 * filters here, against the lake's partition list: the plan is text DuckDB prints without
 * escaping (a struct key `a'b` prints as `{'a'b': 1}`), so it is never put back into SQL. Only
 * comparisons of `date` and `hour` with constants are understood; any other filter counts at most
 * the files read. A scan that prunes nothing on a table of several files gets a warning: filter
 * on `date` and `hour`.
 */
export interface PlanNode {
  readonly name: string;
  readonly children?: readonly PlanNode[];
  readonly extra_info?: Record<string, unknown>;
}

export interface LakeScan {
  /** The entity scanned, told by the columns it projects, or undefined when they do not say. */
  readonly entity: string | undefined;
  readonly filesRead: number | undefined;
  readonly filesTotal: number | undefined;
  readonly fileFilters: string | undefined;
}

export interface ExplainReport {
  readonly plan: unknown;
  readonly files_read: number;
  readonly files_total: number;
  readonly partitions_read: number;
  readonly partitions_total: number;
  readonly warning: string | null;
}

/** A partition of the lake as the warehouse loaded it. */
export interface LakePartition {
  readonly entity: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly hour: number;
  /** Its lake files. */
  readonly files: number;
}

export function lakeScans(nodes: readonly PlanNode[], entityColumns: ReadonlyMap<string, string>): LakeScan[] {
  const scans: LakeScan[] = [];
  const walk = (node: PlanNode): void => {
    const info = node.extra_info ?? {};
    if (node.name === 'READ_PARQUET' || info['Function'] === 'READ_PARQUET') {
      const projections = Array.isArray(info['Projections']) ? (info['Projections'] as unknown[]).map(String) : [String(info['Projections'] ?? '')];
      const entity = projections.map((p) => entityColumns.get(p)).find((e) => e !== undefined);
      const scanning = /^(\d+)\/(\d+)$/.exec(String(info['Scanning Files'] ?? ''));
      const filters = info['File Filters'];
      scans.push({
        entity,
        filesRead: scanning ? Number(scanning[1]) : undefined,
        filesTotal: scanning ? Number(scanning[2]) : undefined,
        fileFilters: typeof filters === 'string' ? filters : Array.isArray(filters) ? filters.map(String).join('\n') : undefined,
      });
    }
    for (const child of node.children ?? []) walk(child);
  };
  for (const node of nodes) walk(node);
  return scans;
}

type Value = string | number;
type Filter = (partition: LakePartition) => boolean;

/** Tokens of a printed filter: strings ('' escaped), numbers, words, operators, parentheses. */
function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  const pattern = /\s*('(?:[^']|'')*'|::\s*[A-Za-z]+|-?\d+(?:\.\d+)?|"[^"]*"|[A-Za-z_][A-Za-z_0-9]*|<>|!=|<=|>=|[=<>(),])/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match?.[1]) return undefined;
    tokens.push(match[1]);
    at = pattern.lastIndex;
  }
  return tokens;
}

function compare(left: Value, op: string, right: Value): boolean {
  switch (op) {
    case '=':
      return left === right;
    case '<>':
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>', '!=': '!=' };

/**
 * Parses one printed filter into a test of a partition, or undefined when it is anything but
 * AND/OR/NOT of `date`/`hour` compared (=, <>, <, <=, >, >=, IN, BETWEEN) with constants.
 */
export function partitionFilter(text: string): Filter | undefined {
  const tokens = tokenize(text);
  if (!tokens) return undefined;
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const upper = (): string => (tokens[i] ?? '').toUpperCase();
  const fail = (): never => {
    throw new SyntaxError('not understood');
  };
  const column = (): 'date' | 'hour' | undefined => {
    const name = (peek() ?? '').replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name !== 'date' && name !== 'hour') return undefined;
    i += 1;
    return name;
  };
  const literal = (of: 'date' | 'hour'): Value => {
    const token = peek() ?? fail();
    i += 1;
    let value: Value;
    if (token.startsWith("'")) value = token.slice(1, -1).replaceAll("''", "'");
    else if (/^-?\d+$/.test(token)) value = Number(token);
    else return fail();
    if (peek()?.startsWith('::')) {
      const type = (peek() ?? '').slice(2).trim().toUpperCase();
      i += 1;
      if (type === 'DATE' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return of === 'date' ? value : fail();
      if (/^(INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT)$/.test(type) && /^-?\d+$/.test(String(value))) return of === 'hour' ? Number(value) : fail();
      return fail();
    }
    if (of === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    if (of === 'hour' && typeof value === 'number') return value;
    return fail();
  };
  const take = (expected: string): void => {
    if (upper() !== expected) fail();
    i += 1;
  };
  const comparison = (): Filter => {
    const col = column();
    if (col === undefined) {
      // A constant on the left: `15 = hour`.
      const start = i;
      for (const of of ['hour', 'date'] as const) {
        i = start;
        try {
          const value = literal(of);
          const op = peek() ?? '';
          if (!(op in FLIPPED)) fail();
          i += 1;
          if (column() !== of) fail();
          return (p) => compare(p[of], FLIPPED[op] ?? op, value);
        } catch {
          continue;
        }
      }
      return fail();
    }
    const op = upper();
    if (op in FLIPPED) {
      i += 1;
      const value = literal(col);
      return (p) => compare(p[col], op, value);
    }
    const negated = op === 'NOT';
    if (negated) i += 1;
    if (upper() === 'IN') {
      i += 1;
      take('(');
      const values: Value[] = [literal(col)];
      while (peek() === ',') {
        i += 1;
        values.push(literal(col));
      }
      take(')');
      return (p) => values.includes(p[col]) !== negated;
    }
    if (upper() === 'BETWEEN') {
      i += 1;
      const low = literal(col);
      take('AND');
      const high = literal(col);
      return (p) => (p[col] >= low && p[col] <= high) !== negated;
    }
    return fail();
  };
  const unary = (): Filter => {
    if (upper() === 'NOT') {
      i += 1;
      const inner = unary();
      return (p) => !inner(p);
    }
    if (peek() === '(') {
      i += 1;
      const inner = or();
      take(')');
      return inner;
    }
    return comparison();
  };
  const and = (): Filter => {
    const parts = [unary()];
    while (upper() === 'AND') {
      i += 1;
      parts.push(unary());
    }
    return (p) => parts.every((f) => f(p));
  };
  const or = (): Filter => {
    const parts = [and()];
    while (upper() === 'OR') {
      i += 1;
      parts.push(and());
    }
    return (p) => parts.some((f) => f(p));
  };
  try {
    const filter = or();
    return i === tokens.length ? filter : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Partitions of `partitions` a scan reads: those its file filters keep when each is understood
 * (several filters, one a line, all hold); otherwise at most one per file read.
 */
export function partitionsRead(scan: LakeScan, partitions: readonly LakePartition[]): number {
  const lines = (scan.fileFilters ?? '').split('\n').filter((line) => line.trim() !== '');
  const filters = lines.map(partitionFilter);
  if (filters.every((f) => f !== undefined)) return partitions.filter((p) => filters.every((f) => f(p))).length;
  // Understood filters still narrow; what is not understood keeps a partition.
  const kept = partitions.filter((p) => filters.every((f) => f === undefined || f(p))).length;
  return scan.filesRead === undefined ? kept : Math.min(kept, scan.filesRead);
}

/** The report of a plan: files and partitions read out of total, and the warning, if any. */
export function explainReport(plan: readonly PlanNode[], partitions: readonly LakePartition[], entityColumns: ReadonlyMap<string, string>): ExplainReport {
  const filesOf = new Map<string, number>();
  for (const p of partitions) filesOf.set(p.entity, (filesOf.get(p.entity) ?? 0) + p.files);
  const of = (entity: string | undefined): LakePartition[] => partitions.filter((p) => entity === undefined || p.entity === entity);
  let filesRead = 0;
  let filesTotal = 0;
  let read = 0;
  let total = 0;
  const unpruned: string[] = [];
  for (const scan of lakeScans(plan, entityColumns)) {
    const scanTotal = scan.filesTotal ?? (scan.entity ? (filesOf.get(scan.entity) ?? 0) : [...filesOf.values()].reduce((a, b) => a + b, 0));
    const scanRead = scan.filesRead ?? scanTotal;
    filesRead += scanRead;
    filesTotal += scanTotal;
    total += of(scan.entity).length;
    read += scan.entity && scan.fileFilters ? partitionsRead(scan, of(scan.entity)) : of(scan.entity).length;
    if (scanRead === scanTotal && scanTotal > 1) unpruned.push(scan.entity ? `lake.${scan.entity}` : 'a lake table');
  }
  const warning =
    unpruned.length > 0 ? `${unpruned.join(' and ')} ${unpruned.length === 1 ? 'is' : 'are'} read whole: filter on date and hour to read only the partitions you need` : null;
  return { plan, files_read: filesRead, files_total: filesTotal, partitions_read: read, partitions_total: total, warning };
}
