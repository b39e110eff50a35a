/**
 * The kinds of value a configuration key holds, each a zod schema whose errors are the end of one
 * sentence: `must be <what it expects> (got <what it got>)`. The loader puts the file and key path
 * in front, so every kind words its own expectation once, here.
 */
import * as z from 'zod';
import { DEFAULT_CRON } from './config-defaults.js';
import { wordList } from './word-list.js';
import { parseHour } from '../pipeline/hour.js';
import { closestKey } from './closest-key.js';
import { cronProblem } from '../orchestration/schedule/cron-schedule.js';
import { isFetchBadPort } from '../orchestration/callbacks/fetch-bad-ports.js';
import { DURATION_EXPECTED, formatDuration, parseDuration } from './duration.js';

/** What the person wrote, short enough for one line; lists and mappings are named, not echoed. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function expecting(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `must be ${what} (got ${shown(issue.input)})`;
}

const SECRET = '(the value is not shown, as it may hold a secret)';

/**
 * A mapping with only the keys of `shape`; an unknown key is named, with the nearest known one.
 * `secret` keeps a wrong value out of the message, for mappings that hold credentials.
 */
export function mapping<Shape extends z.ZodRawShape>(shape: Shape, { secret = false } = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return secret ? `must be a mapping of keys ${SECRET}` : expecting('a mapping of keys')(issue);
      // The loader appends the first unknown key to the path; this words the rest of the sentence.
      const guess = closestKey(issue.keys[0] ?? '', known);
      return guess ? `is not a known key (did you mean ${guess}?)` : `is not a known key (known keys: ${wordList(known, 'and')})`;
    },
  });
}

export function text(what = 'a non-empty string') {
  return z.string({ error: expecting(what) }).min(1, { error: expecting(what) });
}

/** A whole number from `min` (and to `max`: a value past any machine's reach is a typo, not a wish). */
export function wholeNumber(min: number, max?: number) {
  const error = expecting(max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max.toLocaleString('en-US')}`);
  const atLeast = z.int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}

export function share() {
  const error = expecting('a number from 0 to 1');
  return z.number({ error }).min(0, { error }).max(1, { error });
}

export function flag() {
  return z.boolean({ error: expecting('true or false') });
}

/** One of `values`; a near miss names the value it was probably meant to be. */
export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, {
    error: (issue) => {
      const guess = typeof issue.input === 'string' ? closestKey(issue.input, values) : undefined;
      return `must be one of ${wordList(values)} (got ${shown(issue.input)}${guess ? `; did you mean ${guess}?` : ''})`;
    },
  });
}

/** Milliseconds, from `30s`, `1h20m` or a number of seconds. */
/** `minMs`: a floor for durations that pace a loop (a tick of 0 would spin). */
export function duration(minMs = 0, maxMs = Number.POSITIVE_INFINITY) {
  const bounds = [minMs > 0 ? `at least ${formatDuration(minMs)}` : '', Number.isFinite(maxMs) ? `at most ${formatDuration(maxMs)}` : ''].filter(Boolean);
  const what = [DURATION_EXPECTED, ...bounds].join(', ');
  return z.union([z.number(), z.string()], { error: expecting(what) }).transform((value, ctx) => {
    try {
      const ms = parseDuration(value);
      if (ms >= minMs && ms <= maxMs) return ms;
    } catch {
      // Reported below, with what is expected.
    }
    ctx.addIssue({ code: 'custom', message: expecting(what)({ input: value }), input: value });
    return z.NEVER;
  });
}

/** Milliseconds, or null when set to `null` or `none`: the check is disabled. */
export function durationOrNone(minMs = 0) {
  const what = `${DURATION_EXPECTED}${minMs > 0 ? ` of at least ${formatDuration(minMs)}` : ''}, or none to disable it`;
  return z.union([z.null(), z.number(), z.string()], { error: expecting(what) }).transform((value, ctx) => {
    if (value === null || value === 'none') return null;
    try {
      const ms = parseDuration(value);
      if (ms >= minMs) return ms;
      ctx.addIssue({ code: 'custom', message: expecting(what)({ input: value }), input: value });
      return z.NEVER;
    } catch {
      ctx.addIssue({ code: 'custom', message: expecting(what)({ input: value }), input: value });
      return z.NEVER;
    }
  });
}

export function timeZone() {
  const error = expecting('an IANA time zone such as UTC or Europe/Berlin');
  return z.string({ error }).refine(isTimeZone, { error });
}

function isTimeZone(zone: string): boolean {
  // The default needs no check: the first time-zone lookup loads ICU's zone data, which every
  // command's start-up would pay for.
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export function cronExpression() {
  const what = 'a cron expression of five fields such as "0 * * * *", or an alias such as @hourly';
  return z.string({ error: expecting(what) }).superRefine((value, ctx) => {
    const problem = isCron(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be ${what} (got ${shown(value)}: ${problem})`, input: value });
  });
}

/** The scheduler's own rule (see cron-schedule.ts), so a schedule that loads is one that fires. */
function isCron(expression: string): string | undefined {
  // The default schedule is known good: checking it never loads the cron parser.
  if (expression === DEFAULT_CRON) return undefined;
  return cronProblem(expression);
}

/** An hour label, stored canonically: `2019-06-01 15` becomes `2019-06-01T15`. */
export function hourLabel() {
  const error = expecting('an hour such as 2019-06-01T15');
  return z.string({ error }).transform((value, ctx) => {
    const hour = parseHour(value);
    if (hour) return hour.label;
    ctx.addIssue({ code: 'custom', message: error({ input: value }), input: value });
    return z.NEVER;
  });
}

/** An http(s) URL on a port fetch connects to. Never echoed: a webhook URL often carries its token in the path. */
export function httpUrl() {
  const error = `must be an http:// or https:// URL ${SECRET}`;
  return z
    .string({ error })
    .refine(isHttpUrl, { error, abort: true })
    .superRefine((text, ctx) => {
      const port = Number(new URL(text).port);
      // The port is no secret, and saying it is what makes the sentence useful.
      if (isFetchBadPort(port)) ctx.addIssue({ code: 'custom', message: `is on port ${port}, which fetch refuses to connect to (the Fetch standard's "bad ports"); use another port`, input: text });
    });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** HTTP headers by name. Values are never echoed: they may hold credentials. */
export function headers() {
  return z.record(z.string(), z.string({ error: `must be a string ${SECRET}` }), {
    error: `must be a mapping of header names to values ${SECRET}`,
  });
}
