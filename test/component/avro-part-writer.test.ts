/**
 * The Avro part writer encodes blocks itself, from a line's field spans or from a row. Hostile
 * rows through both paths must store exactly what the record-by-record avsc writer stored:
 * each record's bytes are avsc's Type.toBuffer of the same record, blocks are cut where avsc's
 * BlockEncoder cut them, and every codec decodes with avsc (and avro-c's avrocat) to the values.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { Entity, FieldSpans, RowValue } from '../../src/events/entity.js';
import { operatingPeriod } from '../../src/events/operating-period.js';
import { parseTimestamp } from '../../src/events/timestamp.js';
import { vehicle } from '../../src/events/vehicle.js';
import { avroDecoders } from '../../src/formats/avro/avro-codecs.js';
import { mergeContainers } from '../../src/formats/avro/avro-container-merge.js';
import { AvroPartWriter } from '../../src/formats/avro/avro-part-writer.js';
import { avroSchema } from '../../src/formats/avro/avro-schema.js';
import { avrocat, tempDir } from '../helpers/fixtures.js';

/** A field of a hostile row as the source line holds it: its text, or null. */
type Field = string | null;

const STRINGS = ['update', '', 'ä', 'Grüße, 世界', '😀 four-byte 𝄞', 'x'.repeat(300), '"quoted" \\ back', 'tab\there', '\u0000nul'];
const DOUBLES = [
  '0', '-0', '-0.000', '52.55762', '-13.46649', '89.99999999999999', '-180', '0.1', '9007199254740993', '123.456789012345678',
  `0.${'0'.repeat(323)}5`, // 5e-324
  `0.${'0'.repeat(400)}1`, // underflows to 0
  `-179769313486231570${'0'.repeat(291)}`, // -Number.MAX_VALUE
  `99${'9'.repeat(310)}`, // Infinity
];
const TIMESTAMPS = [
  '2019-06-01T15:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z',
  '2000-02-29T12:34:56.789Z', '1970-01-01T00:00:00.000Z',
];

/** Rows of text fields for `entity`: many, cycling through the hostile values, nulls where allowed. */
function hostileRows(entity: Entity, count: number): Field[][] {
  const rows: Field[][] = [];
  for (let r = 0; r < count; r++) {
    rows.push(
      entity.columns.map((column, c) => {
        const k = r * 7 + c * 3;
        if (column.nullable && k % 5 === 0) return null;
        if (column.type === 'string') return STRINGS[k % STRINGS.length] as string;
        if (column.type === 'double') return DOUBLES[k % DOUBLES.length] as string;
        return TIMESTAMPS[k % TIMESTAMPS.length] as string;
      }),
    );
  }
  // One row bigger than a block: avsc writes it alone and doubles its block size.
  rows.push(entity.columns.map((column) => (column.type === 'string' ? 'é'.repeat(200_000) : column.type === 'double' ? '1.5' : (TIMESTAMPS[0] as string))));
  return rows;
}

/** The values the text path stored: Number(text), parseTimestamp(text), the string. */
function values(entity: Entity, fields: readonly Field[]): RowValue[] {
  return entity.columns.map((column, c) => {
    const text = fields[c] ?? null;
    if (text === null) return null;
    if (column.type === 'double') return Number(text);
    if (column.type === 'timestamp') return parseTimestamp(text) ?? null;
    return text;
  });
}

/** The source line of a row and its spans: fields laid out in a buffer with junk between them. */
function spansOf(fields: readonly Field[]): { buf: Buffer; spans: FieldSpans } {
  const parts: Buffer[] = [Buffer.from('{junk')];
  const spans = new Int32Array(2 * fields.length);
  let at = parts[0]?.length ?? 0;
  fields.forEach((field, c) => {
    if (field === null) {
      spans[2 * c] = -1;
      return;
    }
    const bytes = Buffer.from(field, 'utf8');
    spans[2 * c] = at;
    spans[2 * c + 1] = at + bytes.length;
    parts.push(bytes, Buffer.from('","'));
    at += bytes.length + 3;
  });
  return { buf: Buffer.concat(parts), spans };
}

const OBJECT_KEYS = ['2019-06-01-15-0-0-events.json', '2019-06-01-15-0-1-événements.json', '2019-06-01-15-0-2-events.json'];

function record(entity: Entity, row: readonly RowValue[], objectIndex: number, line: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  entity.columns.forEach((column, c) => (out[column.name] = row[c] ?? null));
  out['source_object'] = OBJECT_KEYS[objectIndex];
  out['source_line'] = line;
  return out;
}

interface Written {
  readonly path: string;
  readonly rows: number;
}

async function writeRows(entity: Entity, codec: string, dir: string, rows: readonly Field[][], path: 'spans' | 'rows'): Promise<Written> {
  const writer = new AvroPartWriter({ entity, dir, objectKeys: OBJECT_KEYS, codec }, entity.name);
  rows.forEach((fields, i) => {
    const objectIndex = Math.floor((i * OBJECT_KEYS.length) / rows.length);
    if (path === 'rows') {
      writer.write(values(entity, fields), objectIndex, i + 1);
    } else {
      const { buf, spans } = spansOf(fields);
      writer.writeSpans(buf, spans, objectIndex, i + 1);
    }
  });
  await writer.drained();
  const written = await writer.close();
  expect(written).toHaveLength(1);
  return written[0] as Written;
}

/** What the writer before this one did: avsc's BlockEncoder, record by record. */
async function avscContainer(entity: Entity, codec: string, path: string, records: readonly Record<string, unknown>[], syncMarker: Buffer): Promise<void> {
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const { Readable } = await import('node:stream');
  const encoder = new avro.streams.BlockEncoder(avroSchema(entity) as avro.Schema, { codec, blockSize: 256 * 1024, syncMarker });
  await pipeline(Readable.from(records).pipe(encoder), createWriteStream(path));
}

/** Each record's encoded bytes, as avsc's BlockDecoder finds them, and the decoded records. */
function decode(path: string, noDecode: boolean): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const out: unknown[] = [];
    createReadStream(path)
      .pipe(new avro.streams.BlockDecoder({ codecs: { ...avroDecoders, null: (b: Buffer, cb: (err: null, out: Buffer) => void) => cb(null, b) }, noDecode }))
      .on('data', (r: unknown) => out.push(r))
      .on('error', reject)
      .on('end', () => resolve(out));
  });
}

/** Blocks (row count, byte size) of a container: where it was cut. */
async function blockCounts(path: string): Promise<number[]> {
  const buf = await readFile(path);
  let pos = 4;
  const long = (): number => {
    let shift = 1;
    let value = 0;
    let byte: number;
    do {
      byte = buf[pos++] as number;
      value += (byte & 0x7f) * shift;
      shift *= 128;
    } while (byte & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  };
  const skip = (): void => {
    const bytes = long(); // read before pos is: long() moves it
    pos += bytes;
  };
  for (let n = long(); n !== 0; n = long()) for (let i = 0; i < 2 * n; i++) skip();
  pos += 16;
  const counts: number[] = [];
  while (pos < buf.length) {
    counts.push(long());
    skip();
    pos += 16;
  }
  return counts;
}

/** Doubles compared by bits: -0 is not 0, NaN is NaN. */
function sameValues(actual: unknown[], expected: unknown[]): void {
  expect(actual.length).toBe(expected.length);
  const differ: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as Record<string, unknown>;
    const e = expected[i] as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!Object.is(a[key], e[key])) differ.push(`row ${i} ${key}: ${String(a[key]).slice(0, 80)}, not ${String(e[key]).slice(0, 80)}`);
    }
  }
  expect(differ.slice(0, 5)).toEqual([]);
}

const ROWS = 6000;

describe.each([vehicle, operatingPeriod])('AvroPartWriter on hostile $name rows', (entity) => {
  const rows = hostileRows(entity, ROWS);
  const expected = rows.map((fields, i) => record(entity, values(entity, fields), Math.floor((i * OBJECT_KEYS.length) / rows.length), i + 1));
  const type = avro.Type.forSchema(avroSchema(entity) as avro.Schema);

  it.each([
    ['deflate', 'spans'],
    ['deflate', 'rows'],
    ['snappy', 'spans'],
    ['snappy', 'rows'],
    ['null', 'spans'],
  ] as const)('%s blocks from %s: each record is avsc’s encoding of it, and reads back with avsc and avrocat', async (codec, path) => {
    const dir = await tempDir();
    const file = await writeRows(entity, codec, dir, rows, path);
    expect(file.rows).toBe(rows.length);
    const encoded = (await decode(file.path, true)) as Buffer[];
    expect(encoded.length).toBe(expected.length);
    const differ: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      const theirs = type.toBuffer(expected[i]);
      const mine = encoded[i] as Buffer;
      if (!mine.equals(theirs)) differ.push(`row ${i}: ${mine.length} bytes, not ${theirs.length}; first difference at ${mine.findIndex((b, k) => b !== theirs[k])}`);
    }
    expect(differ.slice(0, 5)).toEqual([]);
    sameValues(await decode(file.path, false), expected);
    const blocks = await blockCounts(file.path);
    expect(blocks.length).toBeGreaterThan(3);
    if (codec !== 'null') {
      // avro-c reads it too; it prints doubles in its own way, so rows and strings are compared.
      const read = avrocat(file.path);
      expect(read.length).toBe(expected.length);
      expect(read.map((r) => r['source_line'])).toEqual(expected.map((r) => r['source_line']));
    }
  });

  it('cuts blocks where avsc did, and without compression writes the same bytes', async () => {
    const dir = await tempDir();
    const mine = await writeRows(entity, 'null', dir, rows, 'spans');
    const name = `${entity.name}.avro`;
    const { createHash } = await import('node:crypto');
    const sync = createHash('md5').update(`${entity.name}\0${name}\0${OBJECT_KEYS.join('\0')}`).digest();
    const theirs = join(dir, 'avsc.avro');
    await avscContainer(entity, 'null', theirs, expected, sync);
    expect(await blockCounts(mine.path)).toEqual(await blockCounts(theirs));
    expect((await readFile(mine.path)).equals(await readFile(theirs))).toBe(true);
  });

  it('writes the same bytes twice, and the finisher joins its containers in order', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const first = await writeRows(entity, 'deflate', a, rows, 'spans');
    const again = await writeRows(entity, 'deflate', b, rows, 'rows');
    expect((await readFile(first.path)).equals(await readFile(again.path))).toBe(true);
    const out = await tempDir();
    const parts = mergeContainers([first.path, again.path], 20_000, (i) => join(out, `part-${i}.avro`), entity.name);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(2 * rows.length);
    const joined: unknown[] = [];
    for (const part of parts) joined.push(...(await decode(part.path, false)));
    sameValues(joined, [...expected, ...expected]);
  });
});

describe('AvroPartWriter refuses what its schema cannot hold', () => {
  it.each([
    ['a null in a column that is not nullable', [null, 0, 'org', 'v', null, null, null]],
    ['a string where a double goes', ['update', 0, 'org', 'v', '1', null, null]],
    ['a fraction of a millisecond', ['update', 0.5, 'org', 'v', null, null, null]],
  ] as const)('%s', async (_what, row) => {
    const writer = new AvroPartWriter({ entity: vehicle, dir: await tempDir(), objectKeys: OBJECT_KEYS, codec: 'deflate' }, 'vehicle');
    expect(() => writer.write(row as unknown as RowValue[], 0, 1)).toThrow(/vehicle\./);
    expect(await writer.close()).toEqual([]);
  });

  it('an unknown codec', async () => {
    const writer = new AvroPartWriter({ entity: vehicle, dir: await tempDir(), objectKeys: OBJECT_KEYS, codec: 'zstd' }, 'vehicle');
    expect(() => writer.write(['update', 0, 'org', 'v', null, null, null], 0, 1)).toThrow(/unsupported Avro codec/);
  });
});
