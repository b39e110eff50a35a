/**
 * No line is lost without a trace: every line of every object read ends as a row or a
 * quarantine record, and damage to an object is a quarantine record of its own. Each case runs
 * on an object read whole and on one streamed: a small object whose run lowers the read-whole
 * limit (TEST_EVENTLAKE_READ_WHOLE_BYTES) below its size. One case also streams a real object of
 * more than 8 MiB under the default limit.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { constants, crc32, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Hour, parseHour } from '../../src/pipeline/hour.js';
import type { QuarantineRecord } from '../../src/pipeline/quarantine-writer.js';
import { DEFAULT_READ_LIMITS, READ_WHOLE_TEST_VARIABLE } from '../../src/pipeline/read-limits.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { listFiles, query, runCli, tempDir, writeObject } from '../helpers/fixtures.js';
import { runHourInProcess } from '../helpers/in-process.js';

const HOUR = '2019-06-01T15';
const KEY = '2019-06-01-15-0-1-events.json';
/** Objects up to this are read whole by default (8 MiB). */
const DEFAULT_WHOLE_BYTES = DEFAULT_READ_LIMITS.wholeObjectBytes;
/** The read-whole limit of a streamed run: its objects are bigger, and bigger than a read chunk (256 KiB) too. */
const LOWERED_WHOLE_BYTES = 64 * 1024;
const at = '2019-06-01T18:23:57.196Z';
const good = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org-id' });

/** An id that gzip cannot shrink much, so a streamed .gz object stays over 8 MiB compressed. */
function noisyId(i: number): string {
  let id = `v${i}-`;
  for (let salt = 0; salt < 7; salt++) id += createHash('sha512').update(`${salt}:${i}`).digest('base64url');
  return id;
}

/** Read whole under the default limit; streamed under the lowered one, or over 8 MiB under the default. */
type Path = 'read whole' | 'streamed' | 'streamed over 8 MiB';
const PATHS: Path[] = ['read whole', 'streamed'];

/** The environment of a run on `path`: a streamed run lowers the read-whole limit. */
function envOf(path: Path): Record<string, string> {
  return path === 'streamed' ? { [READ_WHOLE_TEST_VARIABLE]: String(LOWERED_WHOLE_BYTES) } : {};
}

/** An object of `bytes` takes `path` in a run with envOf(path). */
function expectTakes(bytes: number, path: Path): void {
  if (path === 'read whole') expect(bytes).toBeLessThanOrEqual(DEFAULT_WHOLE_BYTES);
  else if (path === 'streamed') expect(bytes).toBeGreaterThan(4 * LOWERED_WHOLE_BYTES);
  else expect(bytes).toBeGreaterThan(DEFAULT_WHOLE_BYTES);
}

/** Good lines: a few for an object read whole, enough to be streamed even gzipped. */
function goodLines(path: Path): string[] {
  if (path === 'read whole') return Array.from({ length: 300 }, (_, i) => good(`v${i}`));
  return Array.from({ length: path === 'streamed' ? 1000 : 20_000 }, (_, i) => good(noisyId(i)));
}

/** `count` short good lines after the ones a case is about, to make a streamed object big enough. */
function padding(path: Path, count: number): string[] {
  return path === 'read whole' ? [] : Array.from({ length: count }, (_, i) => good(`pad${i}`));
}

function gzipOf(text: string, path: Path): Buffer {
  const gz = gzipSync(text);
  expectTakes(gz.length, path);
  return gz;
}

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  /** Source lines that became rows, per object. */
  readonly rows: Map<string, number[]>;
  readonly quarantine: QuarantineRecord[];
}

async function run(objects: Record<string, string | Buffer>, path: Path): Promise<Outcome> {
  const source = await tempDir();
  const lake = await tempDir();
  for (const [key, content] of Object.entries(objects)) await writeObject(source, key, content);
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()], undefined, envOf(path));
  const rows = new Map<string, number[]>();
  if ((await listFiles(`${lake}/vehicle`)).length > 0) {
    const found = await query(`SELECT source_object, source_line FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY 1, 2`);
    for (const row of found) {
      const key = String(row['source_object']);
      const lines = rows.get(key) ?? [];
      lines.push(Number(row['source_line']));
      rows.set(key, lines);
    }
  }
  const files = (await listFiles(`${lake}/_quarantine`)).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('');
  const quarantine = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QuarantineRecord)
    .sort((a, b) => a.source_line - b.source_line);
  return { code: result.code, stderr: result.stderr, rows, quarantine };
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Complete lines a reader can get out of a damaged gzip: zlib asked for all it can decode. */
function decodableLines(gz: Buffer): number {
  const text = gunzipSync(gz, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  return text.split('\n').length - 1;
}

describe('lines that look blank but are not', () => {
  it.each(PATHS)('are quarantined with their line number, %s', async (path) => {
    const special = [
      good('first'), // 1
      '\u00A0', // 2: NBSP
      good('second'), // 3
      '\u2028', // 4: line separator
      '\uFEFF', // 5: a BOM that is not at the start of the object
      '\v', // 6
      '\f', // 7
      '  \t \r', // 8: blank: spaces, tab and CR only
      '', // 9: blank
      '\t', // 10: blank
      ' \r\r', // 11: blank
      ` \u00A0${good('nbsp-before')}`, // 12: JSON does not allow NBSP as whitespace
      good('third'), // 13
    ];
    const padded = padding(path, 2000);
    const text = `${[...special, ...padded].join('\n')}\n`;
    expectTakes(Buffer.byteLength(text), path);
    const outcome = await run({ [KEY]: text }, path);
    expect(outcome.code).toBe(0);
    expect(outcome.quarantine.map((q) => [q.source_line, q.raw])).toEqual([
      [2, '\u00A0'],
      [4, '\u2028'],
      [5, '\uFEFF'],
      [6, '\v'],
      [7, '\f'],
      [12, ` \u00A0${good('nbsp-before')}`],
    ]);
    for (const q of outcome.quarantine) {
      expect(q.source_object).toBe(KEY);
      expect(q.reason).toMatch(/^invalid JSON: /);
    }
    expect(outcome.rows.get(KEY)).toEqual([1, 3, 13, ...padded.map((_, i) => 14 + i)]);
  });
});

describe('a line of exactly the limit ending in CRLF', () => {
  it.each(PATHS)('is loaded, %s', async (path) => {
    const base = good('big');
    const padded = base.replace('"organization_id"', `"note":"${'n'.repeat(1024 * 1024 - Buffer.byteLength(base) - 10)}","organization_id"`);
    expect(Buffer.byteLength(padded)).toBe(1024 * 1024);
    // Streamed, the long line spans several read chunks; read whole, the object is one.
    const after = padding(path, 1000);
    const text = [good('before'), padded, good('after'), ...after].map((l) => `${l}\r\n`).join('');
    expectTakes(Buffer.byteLength(text), path);
    const outcome = await run({ [KEY]: text }, path);
    expect(outcome.quarantine).toEqual([]);
    expect(outcome.rows.get(KEY)).toEqual(upTo(3 + after.length));
  });
});

describe('a damaged .gz object', () => {
  const GZ = `${KEY}.gz`;

  // One real object of more than 8 MiB keeps the default limit tested (~20,000 lines, a few seconds).
  it.each([...PATHS, 'streamed over 8 MiB'] as Path[])('with a bad CRC keeps every line and records the damage, %s', async (path) => {
    const lines = goodLines(path);
    const gz = gzipOf(`${lines.join('\n')}\n`, path);
    gz[gz.length - 8] = (gz[gz.length - 8] as number) ^ 0xff; // the trailer's CRC-32
    const outcome = await run({ [GZ]: gz }, path);
    expect(outcome.code).toBe(0);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
    expect(outcome.quarantine).toEqual([{ source_object: GZ, source_line: lines.length + 1, reason: 'object is damaged: gzip CRC mismatch', raw: '' }]);
  });

  it.each(PATHS)('with a bad CRC and no final newline keeps the last line too, %s', async (path) => {
    const lines = goodLines(path);
    const gz = gzipOf(lines.join('\n'), path);
    gz[gz.length - 5] = (gz[gz.length - 5] as number) ^ 0x01;
    const outcome = await run({ [GZ]: gz }, path);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
    expect(outcome.quarantine.map((q) => [q.source_line, q.reason])).toEqual([[lines.length + 1, 'object is damaged: gzip CRC mismatch']]);
  });

  it.each(PATHS)('cut in the middle keeps every line it could decode, %s', async (path) => {
    const lines = goodLines(path);
    const whole = gzipOf(`${lines.join('\n')}\n`, path);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.7));
    expectTakes(cut.length, path);
    const complete = decodableLines(cut);
    expect(complete).toBeGreaterThan(0);
    const outcome = await run({ [GZ]: cut }, path);
    expect(outcome.code).toBe(0);
    expect(outcome.rows.get(GZ)).toEqual(upTo(complete));
    expect(outcome.quarantine.map((q) => [q.source_object, q.source_line, q.reason])).toEqual([
      [GZ, complete + 1, 'object could not be read to the end (unexpected end of file); this line is incomplete'],
    ]);
  });

  it.each(PATHS)('missing its trailer keeps every line and records the damage, %s', async (path) => {
    const lines = goodLines(path);
    const whole = gzipOf(`${lines.join('\n')}\n`, path);
    const outcome = await run({ [GZ]: whole.subarray(0, whole.length - 4) }, path);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
    expect(outcome.quarantine.map((q) => [q.source_line, q.reason])).toEqual([[lines.length + 1, 'object could not be read to the end (unexpected end of file)']]);
  });

  it.each(PATHS)('with trailing garbage keeps every line and records the garbage, %s', async (path) => {
    const lines = goodLines(path);
    const gz = Buffer.concat([gzipOf(`${lines.join('\n')}\n`, path), Buffer.from('garbage after the end\n')]);
    const outcome = await run({ [GZ]: gz }, path);
    expect(outcome.code).toBe(0);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
    expect(outcome.quarantine).toEqual([
      { source_object: GZ, source_line: lines.length + 1, reason: 'object is damaged: 22 bytes of trailing garbage after the gzip data', raw: '' },
    ]);
  });

  it.each(PATHS)('that is not gzip at all is one record naming the object, %s', async (path) => {
    const lines = path === 'read whole' ? goodLines(path) : padding(path, 2000);
    const text = `${lines.join('\n')}\n`;
    expectTakes(Buffer.byteLength(text), path);
    const outcome = await run({ [GZ]: text, [KEY]: `${good('plain')}\n` }, path);
    expect(outcome.code).toBe(0);
    expect(outcome.rows.get(GZ)).toBeUndefined();
    expect(outcome.rows.get(KEY)).toEqual([1]);
    expect(outcome.quarantine).toEqual([{ source_object: GZ, source_line: 1, reason: 'object is damaged: not gzip data (incorrect header check)', raw: '' }]);
  });

  it.each(PATHS)('read past a damaged one loses nothing of the next, %s', async (path) => {
    const lines = goodLines(path);
    const bad = gzipOf(`${lines.join('\n')}\n`, path);
    bad[bad.length - 8] = (bad[bad.length - 8] as number) ^ 0xff;
    const next = `${KEY.replace('-0-1-', '-0-2-')}.gz`;
    const outcome = await run({ [GZ]: bad, [next]: gzipOf(`${lines.join('\n')}\n`, path) }, path);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
    expect(outcome.rows.get(next)).toEqual(upTo(lines.length));
    expect(outcome.quarantine.map((q) => [q.source_object, q.source_line])).toEqual([[GZ, lines.length + 1]]);
  });
});

describe('an intact .gz object', () => {
  const GZ = `${KEY}.gz`;

  it.each(PATHS)('of several gzip members, zero padded, is read whole with one line numbering, %s', async (path) => {
    const lines = goodLines(path);
    const half = Math.floor(lines.length / 2);
    // The first member ends in the middle of a line: members concatenate into one text.
    const first = `${lines.slice(0, half).join('\n')}\n${lines[half]?.slice(0, 50) ?? ''}`;
    const second = `${lines[half]?.slice(50) ?? ''}\n${lines.slice(half + 1).join('\n')}\n`;
    const gz = Buffer.concat([gzipSync(first), gzipSync(''), gzipSync(second), Buffer.alloc(512)]);
    expectTakes(gz.length, path);
    const outcome = await run({ [GZ]: gz }, path);
    expect(outcome.quarantine).toEqual([]);
    expect(outcome.rows.get(GZ)).toEqual(upTo(lines.length));
  });

  it('with optional header fields (name, comment, extra, header CRC) is read', async () => {
    const body = gzipSync(`${good('a')}\n${good('b')}\n`);
    // Rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC set.
    const extra = Buffer.from([4, 0, 1, 2, 3, 4]);
    const header = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x1e]), body.subarray(4, 10), extra, Buffer.from('name.json\0comment\0')]);
    const headerCrc = Buffer.alloc(2);
    headerCrc.writeUInt16LE(crc32(header) & 0xffff);
    const gz = Buffer.concat([header, headerCrc, body.subarray(10)]);
    const outcome = await run({ [GZ]: gz }, 'read whole');
    expect(outcome.quarantine).toEqual([]);
    expect(outcome.rows.get(GZ)).toEqual([1, 2]);
  });
});

describe(`${READ_WHOLE_TEST_VARIABLE}, which the streamed cases rely on`, () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env[READ_WHOLE_TEST_VARIABLE];
  });

  /** Runs an object of ~100 KiB on the test's thread with the knob set to `value`: how the processor read it. */
  async function readOf(value: string | undefined): Promise<Path> {
    const source = await tempDir();
    const text = `${padding('streamed', 600).join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(LOWERED_WHOLE_BYTES);
    await writeObject(source, KEY, text);
    const streamed = vi.spyOn(LocalObjectStore.prototype, 'read');
    const whole = vi.spyOn(LocalObjectStore.prototype, 'readAll');
    if (value !== undefined) process.env[READ_WHOLE_TEST_VARIABLE] = value;
    try {
      const report = await runHourInProcess({ source, lake: await tempDir(), state: await tempDir(), hour: parseHour(HOUR) as Hour, layout: 'flat', format: 'parquet', workers: 0, targetFileBytes: 1 << 20 });
      expect(report.events).toEqual({ vehicle: 600 });
    } finally {
      delete process.env[READ_WHOLE_TEST_VARIABLE];
    }
    const calls = [...streamed.mock.calls.filter(([key]) => key === KEY).map((): Path => 'streamed'), ...whole.mock.calls.filter(([key]) => key === KEY).map((): Path => 'read whole')];
    vi.restoreAllMocks();
    expect(calls).toHaveLength(1);
    return calls[0] as Path;
  }

  it('is read where a task processor is built on the calling thread: an object over it is streamed', async () => {
    expect(await readOf(undefined)).toBe('read whole');
    expect(await readOf(String(LOWERED_WHOLE_BYTES))).toBe('streamed');
  });

  it('is read where a worker thread builds its processor: a bad value fails the task, naming the variable', async () => {
    const source = await tempDir();
    await writeObject(source, KEY, `${good('v1')}\n`);
    const args = ['run', '--source', source, '--lake', await tempDir(), '--hour', HOUR, '--state', await tempDir(), '--workers', '1'];
    const result = await runCli(args, undefined, { [READ_WHOLE_TEST_VARIABLE]: '64k', EVENTLAKE_RETRIES_COUNT: '0' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${READ_WHOLE_TEST_VARIABLE} must be a whole number of bytes from 0 to 8388608 (got "64k")`);
  });
});
