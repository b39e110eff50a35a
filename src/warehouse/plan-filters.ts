/**
 * Filters as DuckDB prints them in a plan, read as tests of a lake partition: only comparisons of
 * `date` and `hour` with constants are understood. The text is DuckDB's, printed without
 * escaping (a struct key `a'b` prints as `{'a'b': 1}`), so it is parsed here and never put back
 * into SQL.
 */
type Value = string | number;
export type PartitionFilter = (partition: { readonly date: string; readonly hour: number }) => boolean;

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
const INTEGER_TYPE = /^(INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|UINTEGER|UBIGINT|USMALLINT|UTINYINT|INT|INT4|INT8)$/;

/**
 * Parses printed filters into a test of a partition, or undefined when they are anything but
 * AND/OR/NOT of `date`/`hour` (or `CAST(hour AS INTEGER)`, `CAST(date AS DATE)`) compared (=, <>,
 * <, <=, >, >=, IN, BETWEEN) with constants. Several filters (one a line, or printed one after
 * another: `(hour = 23)(date = '2019-06-01'::DATE)`) must all hold.
 */
export function partitionFilter(text: string): PartitionFilter | undefined {
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return undefined;
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const upper = (): string => (tokens[i] ?? '').toUpperCase();
  const fail = (): never => {
    throw new SyntaxError('not understood');
  };
  const take = (expected: string): void => {
    if (upper() !== expected) fail();
    i += 1;
  };
  const column = (): 'date' | 'hour' | undefined => {
    if (upper() === 'CAST' && tokens[i + 1] === '(') {
      const start = i;
      i += 2;
      const inner = column();
      const type = (tokens[i + 1] ?? '').toUpperCase();
      const fits = inner === 'hour' ? INTEGER_TYPE.test(type) : inner === 'date' && (type === 'DATE' || type === 'VARCHAR');
      if (inner === undefined || upper() !== 'AS' || !fits || tokens[i + 2] !== ')') {
        i = start;
        return undefined;
      }
      i += 3;
      return inner;
    }
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
      if (INTEGER_TYPE.test(type) && /^-?\d+$/.test(String(value))) return of === 'hour' ? Number(value) : fail();
      return fail();
    }
    if (of === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    if (of === 'hour' && typeof value === 'number') return value;
    return fail();
  };
  const comparison = (): PartitionFilter => {
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
  const unary = (): PartitionFilter => {
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
  const and = (): PartitionFilter => {
    const parts = [unary()];
    while (upper() === 'AND') {
      i += 1;
      parts.push(unary());
    }
    return (p) => parts.every((f) => f(p));
  };
  const or = (): PartitionFilter => {
    const parts = [and()];
    while (upper() === 'OR') {
      i += 1;
      parts.push(and());
    }
    return (p) => parts.some((f) => f(p));
  };
  try {
    // Filters printed one after another, each whole: all hold.
    const all = [or()];
    while (i < tokens.length) all.push(or());
    return (p) => all.every((f) => f(p));
  } catch {
    return undefined;
  }
}

/**
 * The filters of `text` (one a line, or printed one after another) that are understood, all to
 * hold; undefined when none is. Leaving a filter out admits more partitions, never fewer.
 */
export function understoodFilter(text: string): { filter: PartitionFilter; complete: boolean } | undefined {
  const parts: string[] = [];
  let complete = true;
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    // `optional: …`: a filter DuckDB may apply early; it holds of the rows kept all the same.
    const tokens = tokenize(line.replace(/^\s*optional:\s*/, ''));
    if (!tokens) {
      complete = false;
      continue;
    }
    if (tokens[0] !== '(') {
      parts.push(tokens.join(' '));
      continue;
    }
    let depth = 0;
    let start = 0;
    for (const [i, token] of tokens.entries()) {
      if (token === '(') depth += 1;
      else if (token === ')') depth -= 1;
      if (depth === 0) {
        parts.push(tokens.slice(start, i + 1).join(' '));
        start = i + 1;
      }
    }
    if (start < tokens.length) parts.push(tokens.slice(start).join(' '));
  }
  const filters = parts.map(partitionFilter);
  const understood = filters.filter((f) => f !== undefined);
  if (understood.length === 0) return undefined;
  return { filter: (p) => understood.every((f) => f(p)), complete: complete && understood.length === filters.length };
}
