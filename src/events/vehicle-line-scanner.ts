/**
 * The vehicle fast path: the exact shape producers emit, e.g.
 * {"event":"update","on":"vehicle","at":"…Z","data":{"id":"…","location":{"lat":52.5,"lng":13.4,"at":"…Z"}},"organization_id":"…"}
 * with `"data":{"id":"…"}` or `"location":null` for register/deregister. Anything else
 * (other key order, whitespace, escapes, exponents, out-of-range numbers) is not taken (-1).
 */
import type { FieldSpans } from './entity.js';
import { isCanonicalTimestamp, literal, matchLiteral, scanBoundedDecimal, scanPlainString } from './byte-scanner.js';

const OPEN_EVENT = literal('{"event":"');
const ON_AT = literal('","on":"vehicle","at":"');
const DATA_ID = literal('","data":{"id":"');
const LOCATION_LAT = literal(',"location":{"lat":');
const LOCATION_NULL = literal(',"location":null}');
const LNG = literal(',"lng":');
const LOC_AT = literal(',"at":"');
const LOC_AT_NULL = literal(',"at":null}}');
const CLOSE_LOC = literal('"}}');
const ORG = literal(',"organization_id":"');
const NULL = literal('null');
const EVENTS = [literal('update'), literal('register'), literal('deregister')];
const QUOTE = 34;
const CLOSE_BRACE = 125;
const TIMESTAMP_BYTES = 24;

/** A coordinate: bounded decimal or null. Returns the end, or -1. */
function coordinate(buf: Uint8Array, pos: number, limit: number, max: number, spans: FieldSpans, slot: number): number {
  const afterNull = matchLiteral(buf, pos, limit, NULL);
  if (afterNull >= 0) {
    spans[slot] = -1;
    return afterNull;
  }
  const numberEnd = scanBoundedDecimal(buf, pos, limit, max);
  if (numberEnd < 0) return -1;
  spans[slot] = pos;
  spans[slot + 1] = numberEnd;
  return numberEnd;
}

/** See Entity.scanLine: the end of the recognised object, or -1. No line break is ever matched. */
export function scanVehicleLine(buf: Uint8Array, start: number, limit: number, spans: FieldSpans): number {
  let p = matchLiteral(buf, start, limit, OPEN_EVENT);
  if (p < 0) return -1;
  let eventEnd = -1;
  for (const name of EVENTS) {
    const e = matchLiteral(buf, p, limit, name);
    if (e >= 0 && buf[e] === QUOTE) {
      eventEnd = e;
      break;
    }
  }
  if (eventEnd < 0) return -1;
  spans[0] = p;
  spans[1] = eventEnd;
  p = matchLiteral(buf, eventEnd, limit, ON_AT);
  if (p < 0 || !isCanonicalTimestamp(buf, p, limit)) return -1;
  spans[2] = p;
  spans[3] = p + TIMESTAMP_BYTES;
  p = matchLiteral(buf, p + TIMESTAMP_BYTES, limit, DATA_ID);
  if (p < 0) return -1;
  const idEnd = scanPlainString(buf, p, limit);
  if (idEnd < 0) return -1;
  spans[6] = p;
  spans[7] = idEnd;
  p = idEnd + 1;
  spans[8] = spans[10] = spans[12] = -1;
  if (buf[p] === CLOSE_BRACE) {
    p++;
  } else if ((p = matchLiteral(buf, idEnd + 1, limit, LOCATION_NULL)) >= 0) {
    // location: null
  } else {
    p = matchLiteral(buf, idEnd + 1, limit, LOCATION_LAT);
    if (p < 0) return -1;
    p = coordinate(buf, p, limit, 90, spans, 8);
    if (p < 0) return -1;
    p = matchLiteral(buf, p, limit, LNG);
    if (p < 0) return -1;
    p = coordinate(buf, p, limit, 180, spans, 10);
    if (p < 0) return -1;
    const atNull = matchLiteral(buf, p, limit, LOC_AT_NULL);
    if (atNull >= 0) {
      p = atNull;
    } else {
      p = matchLiteral(buf, p, limit, LOC_AT);
      if (p < 0 || !isCanonicalTimestamp(buf, p, limit)) return -1;
      spans[12] = p;
      spans[13] = p + TIMESTAMP_BYTES;
      p = matchLiteral(buf, p + TIMESTAMP_BYTES, limit, CLOSE_LOC);
      if (p < 0) return -1;
    }
  }
  p = matchLiteral(buf, p, limit, ORG);
  if (p < 0) return -1;
  const orgEnd = scanPlainString(buf, p, limit);
  if (orgEnd < 0) return -1;
  spans[4] = p;
  spans[5] = orgEnd;
  return orgEnd + 2 <= limit && buf[orgEnd + 1] === CLOSE_BRACE ? orgEnd + 2 : -1;
}
