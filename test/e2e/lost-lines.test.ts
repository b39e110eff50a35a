/**
 * No line is lost without a trace: every line of every object read ends as a row or a
 * quarantine record, and damage to an object is a quarantine record of its own. Each case runs
 * on an object small enough to be read whole and on one big enough to be streamed (> 8 MiB).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { QuarantineRecord } from '../../src/pipeline/quarantine-writer.js';
import { listFiles, query, runCli, tempDir, writeObject } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const KEY = '2019-06-01-15-0-1-events.json';
const STREAMED_BYTES = 8 * 1024 * 1024;
const at = '2019-06-01T18:23:57.196Z';
const good = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org-id' });

type Path = 'read whole' | 'streamed';
const PATHS: Path[] = ['read whole', 'streamed'];

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  /** Source lines that became rows, per object. */
  readonly rows: Map<string, number[]>;
  readonly quarantine: QuarantineRecord[];
}

async function run(objects: Record<string, string | Buffer>): Promise<Outcome> {
  const source = await tempDir();
  const lake = await tempDir();
  for (const [key, content] of Object.entries(objects)) await writeObject(source, key, content);
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
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
    const padding = path === 'streamed' ? Array.from({ length: 50_000 }, (_, i) => good(`pad${i}`)) : [];
    const text = `${[...special, ...padding].join('\n')}\n`;
    expect(Buffer.byteLength(text) > STREAMED_BYTES).toBe(path === 'streamed');
    const outcome = await run({ [KEY]: text });
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
    expect(outcome.rows.get(KEY)).toEqual([1, 3, 13, ...padding.map((_, i) => 14 + i)]);
  });
});

describe('a line of exactly the limit ending in CRLF', () => {
  it.each(PATHS)('is loaded, %s', async (path) => {
    const base = good('big');
    const padded = base.replace('"organization_id"', `"note":"${'n'.repeat(1024 * 1024 - Buffer.byteLength(base) - 10)}","organization_id"`);
    expect(Buffer.byteLength(padded)).toBe(1024 * 1024);
    const padding = path === 'streamed' ? Array.from({ length: 50_000 }, (_, i) => good(`pad${i}`)) : [];
    const text = [good('before'), padded, good('after'), ...padding].map((l) => `${l}\r\n`).join('');
    const outcome = await run({ [KEY]: text });
    expect(outcome.quarantine).toEqual([]);
    expect(outcome.rows.get(KEY)).toEqual(upTo(3 + padding.length));
  });
});
