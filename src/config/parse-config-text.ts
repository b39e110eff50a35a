/**
 * The config file's text as plain data, JSON or YAML. A syntax error names the file and line;
 * the parsers' own excerpts of the text are left out, as a line may hold a header's secret.
 */
import { yamlParser } from './load-on-demand.js';
import { UserError } from '../errors/user-error.js';

export type ConfigSyntax = 'json' | 'yaml';

/** The YAML library's own default: a config file has no reason to come near it. */
const MAX_ALIAS_COUNT = 100;

export function parseConfigText(text: string, syntax: ConfigSyntax, origin: string): unknown {
  return syntax === 'json' ? parseJson(text, origin) : parseYaml(text, origin);
}

function parseYaml(text: string, origin: string): unknown {
  const doc = yamlParser().parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    // "Map keys must be unique at line 2, column 1:\n\n<excerpt>" → "map keys must be unique"
    const reason = lowerFirst((error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''));
    throw new UserError(`${origin} is not valid YAML${line === undefined ? '' : ` at line ${line}`}: ${reason}`);
  }
  try {
    // An empty file (or only comments) is no keys set: every default.
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // The parser throws a plain ReferenceError for an alias bomb (a few lines that expand to millions).
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserError(`${origin} is not valid YAML: its aliases expand past ${MAX_ALIAS_COUNT} uses (a few lines that would expand to a huge document)`);
  }
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // V8 quotes the text around the error ("…" is not valid JSON): only the reason is kept.
    const reason = lowerFirst(error.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, ''));
    throw new UserError(`${origin} is not valid JSON at line ${lineOf(text, jsonErrorOffset(text, error.message))}: ${reason}`);
  }
}

/**
 * Where JSON.parse gave up. Node 20 names the position for most errors but not for an unexpected
 * token, so then: the shortest prefix that fails for a reason other than ending early.
 */
function jsonErrorOffset(text: string, message: string): number {
  const position = / at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (failsBeforeEnd(text.slice(0, mid + 1))) high = mid;
    else low = mid + 1;
  }
  return low;
}

function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    if (!(error instanceof SyntaxError)) return true;
    // Running out of text is reported as "end of JSON input" or as a position at the very end.
    const position = / at position (\d+)/.exec(error.message);
    return position ? Number(position[1]) < prefix.length : !error.message.includes('end of JSON input');
  }
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
