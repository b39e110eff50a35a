/** The envelope every event shares: `{event, on, at, organization_id, data: {id, …}}`. */
import { isStorableTimestamp, outsideStorableYears, parseTimestamp } from './timestamp.js';

export interface Envelope {
  readonly event: string;
  readonly on: string;
  /** Epoch milliseconds of `at`. */
  readonly at: number;
  readonly organizationId: string;
  readonly data: Record<string, unknown>;
  readonly id: string;
}

export type EnvelopeResult = { readonly envelope: Envelope } | { readonly error: string };

/** Names the JSON type of a value in error messages. */
export function describeType(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** With the u flag a surrogate pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * JSON.parse accepts "\ud800", but a lone surrogate is not Unicode: Parquet would store U+FFFD
 * and Avro invalid UTF-8. Raw bytes cannot carry one (lines are UTF-8 checked), so only escapes
 * on this path can.
 */
function loneSurrogate(path: string, value: string): string | undefined {
  const found = LONE_SURROGATE.exec(value);
  if (found === null) return undefined;
  return `"${path}" is not valid Unicode: it holds the lone surrogate \\u${found[0].charCodeAt(0).toString(16)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the envelope of a parsed line. Unknown extra fields are tolerated. */
export function readEnvelope(value: unknown): EnvelopeResult {
  if (!isPlainObject(value)) return { error: `line is a JSON ${describeType(value)}, not an object` };
  const { event, on, at, organization_id: organizationId, data } = value;
  if (typeof event !== 'string') return { error: `"event" must be a string, got ${describeType(event)}` };
  if (typeof on !== 'string') return { error: `"on" must be a string, got ${describeType(on)}` };
  if (typeof at !== 'string') return { error: `"at" must be a timestamp string, got ${describeType(at)}` };
  const atMs = parseTimestamp(at);
  if (atMs === undefined) return { error: `"at" is not an ISO-8601 timestamp: ${JSON.stringify(at)}` };
  if (!isStorableTimestamp(atMs)) return { error: outsideStorableYears('at', at) };
  if (typeof organizationId !== 'string') {
    return { error: `"organization_id" must be a string, got ${describeType(organizationId)}` };
  }
  if (!isPlainObject(data)) return { error: `"data" must be an object, got ${describeType(data)}` };
  const id = data['id'];
  if (typeof id !== 'string') return { error: `"data.id" must be a string, got ${describeType(id)}` };
  // The envelope's strings that become columns; other fields are not stored.
  const unpaired = loneSurrogate('event', event) ?? loneSurrogate('organization_id', organizationId) ?? loneSurrogate('data.id', id);
  if (unpaired !== undefined) return { error: unpaired };
  return { envelope: { event, on, at: atMs, organizationId, data, id } };
}
