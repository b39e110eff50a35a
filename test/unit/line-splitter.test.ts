import { describe, expect, it } from 'vitest';
import { endsLine, isBlankLine, LineSplitter } from '../../src/pipeline/line-splitter.js';

type Seen = { line: number; text?: string; reason?: string; preview?: string };

function split(chunks: (string | Buffer)[], maxLineBytes?: number): Seen[] {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(
    {
      line: (line, buf, start, end) => seen.push({ line, text: buf.toString('utf8', start, end) }),
      unreadable: (line, reason, preview) => seen.push({ line, reason, preview }),
    },
    maxLineBytes,
  );
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return seen;
}

describe('LineSplitter', () => {
  it('numbers lines from 1, counting blank ones, and keeps a last line without newline', () => {
    expect(split(['a\n\n', 'b\nc'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '' },
      { line: 3, text: 'b' },
      { line: 4, text: 'c' },
    ]);
  });

  it('strips a UTF-8 BOM on the first line and CR before LF', () => {
    expect(split(['\uFEFF{"a":1}\r\n{"b":2}\r\n'])).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
    ]);
  });

  it('joins a line split across chunks, even inside a multi-byte character', () => {
    const bytes = Buffer.from('{"name":"Zoë"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // in the middle of "ë"
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([{ line: 1, text: '{"name":"Zoë"}' }]);
  });

  it('quarantines only the line that is not valid UTF-8', () => {
    const bad = Buffer.concat([Buffer.from('ok\n{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\nfine\n')]);
    const seen = split([bad]);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ line: 1, text: 'ok' });
    expect(seen[1]).toMatchObject({ line: 2, reason: 'line is not valid UTF-8' });
    expect(seen[1]?.preview).toContain('{"x":"');
    expect(seen[2]).toEqual({ line: 3, text: 'fine' });
  });

  it('quarantines an over-long line across many chunks without keeping it whole', () => {
    const chunks = ['first\n', 'x'.repeat(40), 'y'.repeat(40), 'z'.repeat(40), '\nlast\n'];
    const seen = split(chunks, 64);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ line: 1, text: 'first' });
    expect(seen[1]).toMatchObject({ line: 2, reason: 'line too long: 120 bytes, the limit is 64' });
    expect(seen[1]?.preview?.startsWith('x'.repeat(40))).toBe(true);
    expect(seen[2]).toEqual({ line: 3, text: 'last' });
  });

  it('quarantines an over-long line inside one chunk, and one at the end without newline', () => {
    const seen = split([`a\n${'q'.repeat(100)}\nb\n${'r'.repeat(70)}`], 64);
    expect(seen.map((s) => [s.line, s.text ?? s.reason])).toEqual([
      [1, 'a'],
      [2, 'line too long: 100 bytes, the limit is 64'],
      [3, 'b'],
      [4, 'line too long: 70 bytes, the limit is 64'],
    ]);
  });

  it('accepts a line of exactly the limit', () => {
    expect(split(['z'.repeat(64), '\n'], 64)).toEqual([{ line: 1, text: 'z'.repeat(64) }]);
  });
});

describe('LineSplitter on regions larger than the line limit', () => {
  it('numbers every line of a big chunk and isolates the bad ones', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}-${'p'.repeat(i % 7)}`);
    lines[17] = 'x'.repeat(100); // too long
    const bytes = Buffer.concat([Buffer.from(`${lines.slice(0, 30).join('\n')}\n`), Buffer.from([0xff]), Buffer.from(`\n${lines.slice(31).join('\n')}\n`)]);
    const seen = split([bytes], 64);
    expect(seen).toHaveLength(50);
    expect(seen.map((s) => s.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seen[17]?.reason).toBe('line too long: 100 bytes, the limit is 64');
    expect(seen[30]?.reason).toBe('line is not valid UTF-8');
    for (const i of [0, 16, 18, 29, 31, 49]) expect(seen[i]?.text).toBe(lines[i]);
  });

  it('keeps blank lines at window edges', () => {
    const seen = split([`${'a'.repeat(30)}\n\n${'b'.repeat(30)}\n\n\n`], 32);
    expect(seen.map((s) => s.text)).toEqual(['a'.repeat(30), '', 'b'.repeat(30), '', '']);
  });
});

describe('LineSplitter line limit and CRLF', () => {
  const max = 64;
  const full = 'z'.repeat(max);

  it.each([
    ['in one chunk', [`${full}\r\nnext\r\n`]],
    ['with CR and LF in different chunks', [`${full}\r`, '\nnext\r\n']],
    ['with the CR alone in its chunk', [full, '\r', '\nnext\r\n']],
    ['with the line cut in the middle', [full.slice(0, 10), `${full.slice(10)}\r`, '\n', 'next\r\n']],
    ['as the last line without LF', [`${full}\r`]],
  ])('accepts a line of exactly the limit followed by CRLF, %s', (_name, chunks) => {
    const seen = split(chunks, max);
    expect(seen[0]).toEqual({ line: 1, text: full });
    if (seen.length > 1) expect(seen[1]).toEqual({ line: 2, text: 'next' });
  });

  it('accepts such a line in a region checked in windows', () => {
    const lines = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? `${full}` : `line-${i}`));
    expect(split([lines.map((l) => `${l}\r\n`).join('')], max).map((s) => s.text)).toEqual(lines);
  });

  it.each([
    ['in one chunk', [`${full}x\r\nnext\r\n`]],
    ['with CR and LF in different chunks', [`${full}x\r`, '\nnext\r\n']],
    ['across many chunks', [full, 'x', '\r', '\nnext\r\n']],
  ])('still rejects one content byte more, counting content only, %s', (_name, chunks) => {
    const seen = split(chunks, max);
    expect(seen.map((s) => [s.line, s.text ?? s.reason])).toEqual([
      [1, `line too long: ${max + 1} bytes, the limit is ${max}`],
      [2, 'next'],
    ]);
  });

  it('counts content only for an over-long last line ending in CR without LF', () => {
    expect(split(['a\n', `${full}xy`, '\r'], max).map((s) => [s.line, s.text ?? s.reason])).toEqual([
      [1, 'a'],
      [2, `line too long: ${max + 2} bytes, the limit is ${max}`],
    ]);
  });

  it('treats a CR not followed by LF as content', () => {
    const seen = split([`${full}\r`, 'y\nnext\n'], max);
    expect(seen.map((s) => [s.line, s.text ?? s.reason])).toEqual([
      [1, `line too long: ${max + 2} bytes, the limit is ${max}`],
      [2, 'next'],
    ]);
  });
});

describe('isBlankLine', () => {
  it.each(['', ' ', '\t', '\r', '  \t \r', ' \r\r'])('takes %j as blank', (text) => {
    const buf = Buffer.from(`x${text}x`);
    expect(isBlankLine(buf, 1, buf.length - 1)).toBe(true);
  });

  it.each(['\u00A0', '\u2028', '\u2029', '\uFEFF', '\v', '\f', '\u0085', '\u3000', ' a', '\0'])('takes %j as content', (text) => {
    const buf = Buffer.from(text);
    expect(isBlankLine(buf, 0, buf.length)).toBe(false);
  });
});

describe('LineSplitter on a damaged object', () => {
  it('numbers the damage record after the last line, a last line without newline included', () => {
    const seen: Seen[] = [];
    const splitter = new LineSplitter({
      line: (line, buf, start, end) => seen.push({ line, text: buf.toString('utf8', start, end) }),
      unreadable: (line, reason, preview) => seen.push({ line, reason, preview }),
    });
    splitter.push(Buffer.from('a\nb'));
    splitter.end();
    splitter.damaged('gzip CRC mismatch');
    expect(seen).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 3, reason: 'object is damaged: gzip CRC mismatch', preview: '' },
    ]);
  });
});

describe('LineSplitter with a sink that takes lines itself (takeLine)', () => {
  /** Takes a line when it is `{…}` (no braces or breaks inside) and ends where endsLine allows. */
  function splitTaking(chunks: (string | Buffer)[], maxLineBytes?: number): { seen: Seen[]; taken: number[] } {
    const seen: Seen[] = [];
    const taken: number[] = [];
    const splitter = new LineSplitter(
      {
        line: (line, buf, start, end) => seen.push({ line, text: buf.toString('utf8', start, end) }),
        unreadable: (line, reason, preview) => seen.push({ line, reason, preview }),
        takeLine: (line, buf, start, limit) => {
          if (buf[start] !== 0x7b) return -1;
          let end = start + 1;
          while (end < limit && buf[end] !== 0x7d && buf[end] !== 0x0a && buf[end] !== 0x0d && buf[end] !== 0x7b) end++;
          if (buf[end] !== 0x7d) return -1;
          end++;
          if (!endsLine(buf, end, limit)) return -1;
          seen.push({ line, text: buf.toString('utf8', start, end) });
          taken.push(line);
          return end;
        },
      },
      maxLineBytes,
    );
    for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    splitter.end();
    return { seen, taken };
  }

  it.each([
    ['LF', ['{a}\n{b}\n{c}\n']],
    ['CRLF', ['{a}\r\n{b}\r\n{c}\r\n']],
    ['no final newline', ['{a}\n{b}\n{c}']],
    ['a final lone CR', ['{a}\n{b}\r']],
    ['a CR in the middle of a line', ['{z}\n{a}\r{b}\n{c}\n']],
    ['two CRs before LF', ['{z}\n{a}\r\r\n{b}\n']],
    ['blank lines and spaces', ['{a}\n\n  \n{b} \n {c}\n']],
    ['bytes after the object', ['{z}\n{a}x\n{b}\n']],
    ['a BOM on the first line', ['\uFEFF{a}\n{b}\n']],
    ['lines split across chunks', ['{a}\n{b', '}\n{c}\r', '\n{d}']],
    ['invalid UTF-8 in one line', [Buffer.from('{a}\n{b\xff}\n{c}\n', 'latin1')]],
    ['a line over the limit', ['{a}\n{' + 'x'.repeat(40) + '}\n{b}\n'], 32],
  ] as [string, (string | Buffer)[], number?][])('delivers %s exactly as the plain splitter does', (_name, chunks, max) => {
    const { seen, taken } = splitTaking(chunks, max);
    expect(seen).toEqual(split(chunks, max));
    expect(taken).not.toContain(1); // the first line is never offered (a BOM is stripped there)
  });

  it('takes the lines it recognises, and only those', () => {
    const { seen, taken } = splitTaking(['{a}\n{b}\r\n{c}x\n{d}\n{e}']);
    expect(taken).toEqual([2, 4, 5]);
    expect(seen.map((s) => s.text)).toEqual(['{a}', '{b}', '{c}x', '{d}', '{e}']);
  });
});
