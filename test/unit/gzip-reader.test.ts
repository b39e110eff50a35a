import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipIntact, gunzipObject } from '../../src/pipeline/gzip-reader.js';

interface Read {
  readonly data: Buffer;
  readonly damage?: string;
  readonly error?: string;
}

/** Reads `bytes` cut into chunks of `chunkBytes`, as a stream of the object would give them. */
async function read(bytes: Buffer, chunkBytes = bytes.length || 1): Promise<Read> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  const out: Buffer[] = [];
  const reader = gunzipObject(chunks);
  try {
    for (;;) {
      const next = await reader.next();
      if (next.done === true) return { data: Buffer.concat(out), ...(next.value !== undefined && { damage: next.value }) };
      out.push(next.value);
    }
  } catch (err) {
    return { data: Buffer.concat(out), error: (err as Error).message };
  }
}

/** Compares data as bytes (a deep equality of big buffers is slow) and the rest as is. */
function expectRead(got: Read, expected: Read, label = ''): void {
  expect(got.data.length, label).toBe(expected.data.length);
  expect(got.data.equals(expected.data), label).toBe(true);
  expect({ damage: got.damage, error: got.error }, label).toEqual({ damage: expected.damage, error: expected.error });
}

/** Text that compresses to a few hundred KiB: many pieces, many output chunks. */
const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"r":"${randomBytes(12).toString('hex')}"}\n`).join(''));
const gz = gzipSync(text);

describe('gunzipObject on intact input', () => {
  it.each([97, 1000, 64 * 1024, 300_000, gz.length])('gives the whole text in chunks of %i bytes', async (chunkBytes) => {
    expectRead(await read(gz, chunkBytes), { data: text });
  });

  it('reads an object whose chunks end where the deflate data or a member ends', async () => {
    const two = Buffer.concat([gz, gz]);
    for (const cuts of [[gz.length - 8], [gz.length], [gz.length - 8, gz.length, gz.length + 10]]) {
      const bounds = [0, ...cuts, two.length];
      const chunks = bounds.slice(1).map((end, i) => two.subarray(bounds[i], end));
      const out: Buffer[] = [];
      for await (const chunk of gunzipObject(chunks)) out.push(chunk);
      expect(Buffer.concat(out).equals(Buffer.concat([text, text])), String(cuts)).toBe(true);
    }
  });

  it('reads members one after the other, empty ones and zero padding included', async () => {
    const bytes = Buffer.concat([gzipSync('one\ntw'), gzipSync(''), gzipSync('o\nthree\n'), Buffer.alloc(100)]);
    for (const chunkBytes of [1, 3, bytes.length]) expectRead(await read(bytes, chunkBytes), { data: Buffer.from('one\ntwo\nthree\n') });
  });

  it('reads stored (uncompressed) deflate blocks', async () => {
    expectRead(await read(gzipSync(text, { level: 0 }), 5000), { data: text });
  });

  it('skips the optional header fields, checking the header CRC', async () => {
    const plain = gzipSync('with fields\n');
    const header = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x1e]), plain.subarray(4, 10), Buffer.from([3, 0, 7, 7, 7]), Buffer.from('name\0comment\0')]);
    const check = Buffer.alloc(2);
    check.writeUInt16LE(crc32(header) & 0xffff);
    for (const chunkBytes of [1, 1000]) {
      expectRead(await read(Buffer.concat([header, check, plain.subarray(10)]), chunkBytes), { data: Buffer.from('with fields\n') });
    }
    check[0] = (check[0] as number) ^ 1;
    expectRead(await read(Buffer.concat([header, check, plain.subarray(10)])), { data: Buffer.alloc(0), damage: 'gzip header CRC mismatch' });
  });
});

describe('gunzipObject on damaged input', () => {
  it('gives every byte and then the damage when the CRC or length does not match', async () => {
    const badCrc = Buffer.from(gz);
    badCrc[gz.length - 8] = (badCrc[gz.length - 8] as number) ^ 0xff;
    expectRead(await read(badCrc, 4096), { data: text, damage: 'gzip CRC mismatch' });
    const badLength = Buffer.from(gz);
    badLength[gz.length - 1] = (badLength[gz.length - 1] as number) ^ 0xff;
    expectRead(await read(badLength, 4096), { data: text, damage: 'gzip length mismatch' });
  });

  it('names trailing garbage, and reads the members before it', async () => {
    const bytes = Buffer.concat([gz, gzipSync('more\n'), Buffer.from([0, 0, 1, 2])]);
    expectRead(await read(bytes, 4096), { data: Buffer.concat([text, Buffer.from('more\n')]), damage: '4 bytes of trailing garbage after the gzip data' });
    expectRead(await read(Buffer.concat([gz, Buffer.from([0x1f])])), { data: text, damage: '1 bytes of trailing garbage after the gzip data' });
  });

  it('says when it is not gzip at all, however short', async () => {
    for (const plain of ['{"a":1}\n', 'x', '\x1f.']) {
      expectRead(await read(Buffer.from(plain)), { data: Buffer.alloc(0), damage: 'not gzip data (incorrect header check)' });
    }
    const method = Buffer.from(gz);
    method[2] = 7;
    expectRead(await read(method), { data: Buffer.alloc(0), damage: 'unknown gzip compression method' });
    const flags = Buffer.from(gz);
    flags[3] = 0x80;
    expectRead(await read(flags), { data: Buffer.alloc(0), damage: 'unknown gzip header flags set' });
  });

  it('gives all it could decode of an object cut anywhere, then fails with unexpected end of file', async () => {
    for (const cut of [0, 1, 5, 10, 11, 100, gz.length >> 2, gz.length >> 1, gz.length - 9, gz.length - 8, gz.length - 1]) {
      const part = gz.subarray(0, cut);
      const decodable = cut > 10 ? gunzipSync(part, { finishFlush: constants.Z_SYNC_FLUSH }) : Buffer.alloc(0);
      for (const chunkBytes of [1000, part.length || 1]) {
        expectRead(await read(part, chunkBytes), { data: decodable, error: 'unexpected end of file' }, `cut at ${cut}`);
      }
    }
  });

  it('gives what came before corrupt deflate data, then fails with zlib’s reason', async () => {
    const badType = Buffer.from(gz);
    badType[10] = (badType[10] as number) | 0x06; // block type 3 does not exist
    expectRead(await read(badType), { data: Buffer.alloc(0), error: 'invalid block type' });
  });

  it.each([1000, 64 * 1024, 1 << 20])('gives what came before a corrupt block but the failing call of zlib, in chunks of %i bytes', async (chunkBytes) => {
    // Stored blocks: corrupting one's length leaves exactly the blocks before it decodable.
    const stored = gzipSync(text, { level: 0 });
    const blocks: { at: number; bytes: number }[] = [];
    for (let at = 10; ; ) {
      blocks.push({ at, bytes: stored.readUInt16LE(at + 1) });
      if (((stored[at] as number) & 1) === 1) break;
      at += 5 + stored.readUInt16LE(at + 1);
    }
    expect(blocks.length).toBeGreaterThan(10);
    const bad = blocks[10] as { at: number };
    stored[bad.at + 3] = (stored[bad.at + 3] as number) ^ 0xff; // NLEN no longer ~LEN
    const before = blocks.slice(0, 10).reduce((n, b) => n + b.bytes, 0);
    const got = await read(stored, chunkBytes);
    expect(got.error).toBe('invalid stored block lengths');
    expect(text.subarray(0, got.data.length).equals(got.data)).toBe(true);
    // zlib hands over nothing of the call that fails: at most one output chunk (16 KiB) short.
    expect(got.data.length).toBeLessThanOrEqual(before);
    expect(got.data.length).toBeGreaterThanOrEqual(before - 16 * 1024);
  });

  it('passes on an error of the source after the bytes it gave', async () => {
    const source = new Readable({
      read() {
        this.push(gz.subarray(0, gz.length >> 1));
        this.destroy(new Error('connection reset'));
      },
    });
    const out: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of gunzipObject(source)) out.push(chunk);
      })(),
    ).rejects.toThrow('connection reset');
    const decodable = gunzipSync(gz.subarray(0, gz.length >> 1), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(Buffer.concat(out).equals(decodable)).toBe(true);
  });

  it('stops reading the source when the reader is left early', async () => {
    const source = Readable.from([gz.subarray(0, 1000), gz.subarray(1000)]);
    for await (const chunk of gunzipObject(source)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(source.destroyed).toBe(true);
  });
});

describe('gunzipIntact (the one-call path for whole objects)', () => {
  it('inflates an intact single member to the bytes gunzipObject gives, with or without a file name', async () => {
    const named = Buffer.concat([gz.subarray(0, 3), Buffer.from([0x08]), gz.subarray(4, 10), Buffer.from('hour.json\0'), gz.subarray(10)]);
    for (const object of [gz, named]) {
      const whole = gunzipIntact(object);
      expect(whole?.equals(text)).toBe(true);
      expectRead({ data: whole ?? Buffer.alloc(0) }, await read(object));
    }
    expect(gunzipIntact(gzipSync(Buffer.alloc(0)))?.length).toBe(0);
  });

  it('leaves every object that is not one intact member to the careful reader', () => {
    const badCrc = Buffer.from(gz);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
    const badLength = Buffer.from(gz);
    badLength.writeUInt32LE(text.length + 1, badLength.length - 4);
    // Shorter than the data: the declared size is also the one output chunk's, so more must follow.
    const shortLength = Buffer.from(gz);
    shortLength.writeUInt32LE(Math.floor(text.length / 3), shortLength.length - 4);
    const corrupt = Buffer.from(gz);
    const middle = Math.floor(corrupt.length / 2);
    corrupt[middle] = (corrupt[middle] as number) ^ 0xff;
    const headerCrc = Buffer.from(gz);
    headerCrc[3] = 0x02;
    const reserved = Buffer.from(gz);
    reserved[3] = 0x20;
    const cases: Record<string, Buffer> = {
      'two members': Buffer.concat([gz, gzipSync('more\n')]),
      // The last trailer is the first member's too: only the stream's own end tells them apart.
      'the same member twice': Buffer.concat([gz, gz]),
      'trailing bytes ending in the trailer': Buffer.concat([gz, Buffer.from('garbage!'), gz.subarray(gz.length - 8)]),
      'trailing garbage': Buffer.concat([gz, Buffer.from('garbage!')]),
      'trailing zeros': Buffer.concat([gz, Buffer.alloc(16)]),
      'cut short': gz.subarray(0, gz.length - 100),
      'cut in the trailer': gz.subarray(0, gz.length - 3),
      'bad CRC': badCrc,
      'bad length': badLength,
      'a length shorter than the data': shortLength,
      'corrupt data': corrupt,
      'header CRC flag': headerCrc,
      'reserved flag': reserved,
      'not gzip': text.subarray(0, 1000),
      empty: Buffer.alloc(0),
    };
    for (const [label, object] of Object.entries(cases)) expect(gunzipIntact(object), label).toBeUndefined();
  });

  it('inflates up to the limit it is given in one call, and leaves a bigger object to the careful reader', () => {
    expect(gunzipIntact(gz, text.length)?.equals(text)).toBe(true);
    expect(gunzipIntact(gz, text.length - 1)).toBeUndefined();
  });

  it('leaves an object of more than 64 MiB to the careful reader by default', () => {
    expect(gunzipIntact(zerosGzip(2))?.equals(Buffer.alloc(2 * MiB))).toBe(true);
    // 65 MiB of zeros from a small object: past the default one-call limit, so streamed in pieces.
    const bomb = zerosGzip(65);
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(gunzipIntact(bomb)).toBeUndefined();
  });
});

const MiB = 1024 * 1024;

/**
 * A gzip member of `mebibytes` MiB of zeros, built in a moment: one MiB deflated once and
 * repeated (flushed deflate data from a fresh stream refers to nothing before it), then an
 * empty final block and the trailer.
 */
function zerosGzip(mebibytes: number): Buffer {
  const zeros = Buffer.alloc(MiB);
  const piece = deflateRawSync(zeros, { finishFlush: constants.Z_SYNC_FLUSH });
  let crc = 0;
  for (let i = 0; i < mebibytes; i++) crc = crc32(zeros, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((mebibytes * MiB) % 2 ** 32, 4);
  const header = gzipSync(Buffer.alloc(0)).subarray(0, 10);
  return Buffer.concat([header, ...Array<Buffer>(mebibytes).fill(piece), deflateRawSync(Buffer.alloc(0)), trailer]);
}
