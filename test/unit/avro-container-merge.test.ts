/**
 * The finisher's container join reads inputs through one reused buffer: headers and blocks
 * bigger than it, and inputs that end too soon, must still come out right or be refused.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { mergeContainers } from '../../src/formats/avro/avro-container-merge.js';
import { tempDir } from '../helpers/fixtures.js';

const SCHEMA = { type: 'record', name: 'r', fields: [{ name: 'n', type: 'long' }, { name: 's', type: 'string' }] } as avro.Schema;

interface Row {
  readonly n: number;
  readonly s: string;
}

async function container(path: string, rows: readonly Row[], metadata: Record<string, Buffer> = {}): Promise<string> {
  // avsc takes metadata; its types leave it out.
  const options = { codec: 'deflate', blockSize: 4096, metadata, syncMarker: Buffer.alloc(16, 7) } as ConstructorParameters<typeof avro.streams.BlockEncoder>[1];
  const encoder = new avro.streams.BlockEncoder(SCHEMA, options);
  await pipeline(Readable.from(rows).pipe(encoder), createWriteStream(path));
  return path;
}

function read(path: string): Promise<{ rows: Row[]; meta: Record<string, Buffer> }> {
  return new Promise((resolve, reject) => {
    const rows: Row[] = [];
    let meta: Record<string, Buffer> = {};
    createReadStream(path)
      .pipe(new avro.streams.BlockDecoder())
      .on('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) => (meta = header.meta))
      .on('data', (r: Row) => rows.push({ n: r.n, s: r.s }))
      .on('error', reject)
      .on('end', () => resolve({ rows, meta }));
  });
}

const rows = (from: number, count: number, width = 10): Row[] => Array.from({ length: count }, (_, i) => ({ n: from + i, s: `${from + i}`.padEnd(width, 'x') }));

describe('mergeContainers', () => {
  it('joins inputs in order into files of about the target size, headers over 64 KiB and blocks over its 4 MiB buffer included', async () => {
    const dir = await tempDir();
    const big = { note: Buffer.alloc(100_000, 'a') };
    const a = await container(join(dir, 'a.avro'), rows(0, 3000), big);
    // One row of 5 MB: a block bigger than the merge's read buffer.
    const b = await container(join(dir, 'b.avro'), [...rows(3000, 10), { n: 3010, s: 'y'.repeat(5_000_000) }, ...rows(3011, 2000)], big);
    const parts = mergeContainers([a, b], 30_000, (i) => join(dir, `part-${i}.avro`), 'r');
    expect(parts.length).toBeGreaterThan(3);
    const all: Row[] = [];
    for (const part of parts) {
      const { rows: got, meta } = await read(part.path);
      expect(got.length).toBe(part.rows);
      expect(meta['note']?.equals(big.note)).toBe(true);
      expect((await readFile(part.path)).length).toBe(part.bytes);
      all.push(...got);
    }
    expect(all.map((r) => r.n)).toEqual(Array.from({ length: 5011 }, (_, i) => i));
    expect(all[3010]?.s.length).toBe(5_000_000);
  });

  it('refuses an input that ends inside a block, or is no container', async () => {
    const dir = await tempDir();
    const whole = await container(join(dir, 'whole.avro'), rows(0, 2000));
    const cut = await container(join(dir, 'cut.avro'), rows(0, 2000));
    await truncate(cut, (await readFile(cut)).length - 5);
    expect(() => mergeContainers([whole, cut], 1 << 30, (i) => join(dir, `out-${i}.avro`), 'r')).toThrow(/ends inside a block/);
    const text = join(dir, 'text.avro');
    await writeFile(text, 'not avro at all');
    expect(() => mergeContainers([text], 1 << 30, (i) => join(dir, `t-${i}.avro`), 'r')).toThrow(/not an Avro container/);
    await writeFile(text, '');
    expect(() => mergeContainers([text], 1 << 30, (i) => join(dir, `e-${i}.avro`), 'r')).toThrow(/not an Avro container/);
  });
});
