/**
 * Decompresses a gzip object without losing what could be decoded. Node's Gunzip drops the
 * output of its last inflate call when that call fails, so a bad CRC or trailing garbage cost
 * the last few dozen lines with no trace. Here a raw inflater decodes the deflate data and never
 * fails at the end of its input (Z_SYNC_FLUSH); the gzip framing (header, CRC-32, length,
 * further members) is checked here, after every decoded byte has been handed over.
 */
import { constants, crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { DEFAULT_READ_LIMITS } from './read-limits.js';

/** The message of a gzip object that ends too early, as zlib words it. */
export const UNEXPECTED_END = 'unexpected end of file';

/** Input is inflated this much at a time, bounding the output held between two yields. */
const PIECE_BYTES = 64 * 1024;
const TRAILER_BYTES = 8;
const ID1 = 0x1f;
const ID2 = 0x8b;
const DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;

/**
 * Yields the decompressed bytes of a gzip object, members one after the other. Returns
 * undefined when the object is intact, or what is wrong with one whose data could all be read
 * (a CRC or length mismatch, trailing garbage, not gzip at all). Throws when the data stops
 * early: a truncated object, corrupt deflate data, or an error of the source.
 */
export async function* gunzipObject(source: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer, string | undefined, undefined> {
  const input = new ByteInput(source);
  const damage: string[] = [];
  try {
    for (let member = 0; ; member++) {
      if (member > 0) {
        const head = await input.ensure(2);
        if (head.length < 2 || head[0] !== ID1 || head[1] !== ID2) {
          const rest = await input.skipRest();
          if (rest.nonZero) damage.push(`${rest.bytes} bytes of trailing garbage after the gzip data`);
          break; // zero padding after the last member is fine, as for gzip itself
        }
      }
      const bad = await readHeader(input);
      if (bad !== undefined) {
        damage.push(bad);
        break; // without a header, where the data starts is unknown
      }
      const inflater = new RawInflater();
      let crc = 0;
      let size = 0;
      try {
        for (;;) {
          const at = await input.ensure(1);
          if (at.length === 0) throw new Error(UNEXPECTED_END); // the data or its trailer is cut
          const piece = at.subarray(0, PIECE_BYTES);
          const { output, consumed, failure } = await inflater.write(piece);
          input.skip(consumed);
          for (const chunk of output) {
            crc = crc32(chunk, crc);
            size += chunk.length;
            yield chunk;
          }
          if (failure) throw failure; // corrupt deflate data, after what was decoded before it
          // Input left over: the deflate data ended, its trailer follows.
          if (consumed < piece.length) break;
        }
      } finally {
        inflater.close();
      }
      const trailer = await input.take(TRAILER_BYTES);
      if (trailer.length < TRAILER_BYTES) throw new Error(UNEXPECTED_END);
      if (trailer.readUInt32LE(0) !== crc) damage.push('gzip CRC mismatch');
      else if (trailer.readUInt32LE(4) !== size % 2 ** 32) damage.push('gzip length mismatch');
    }
  } finally {
    await input.close();
  }
  return damage.length > 0 ? damage.join('; ') : undefined;
}

/** Reads a member's header (RFC 1952); returns what is wrong with it, if anything. */
async function readHeader(input: ByteInput): Promise<string | undefined> {
  const fixed = await input.take(10);
  if (fixed.length === 0) throw new Error(UNEXPECTED_END);
  if (fixed[0] !== ID1 || (fixed.length > 1 && fixed[1] !== ID2)) return 'not gzip data (incorrect header check)';
  if (fixed.length < 10) throw new Error(UNEXPECTED_END);
  if (fixed[2] !== DEFLATE) return 'unknown gzip compression method';
  const flags = fixed[3] as number;
  if ((flags & RESERVED_FLAGS) !== 0) return 'unknown gzip header flags set';
  let crc = crc32(fixed);
  if ((flags & FEXTRA) !== 0) {
    const length = await input.take(2);
    if (length.length < 2) throw new Error(UNEXPECTED_END);
    const extra = await input.take(length.readUInt16LE(0));
    if (extra.length < length.readUInt16LE(0)) throw new Error(UNEXPECTED_END);
    crc = crc32(extra, crc32(length, crc));
  }
  if ((flags & FNAME) !== 0) crc = await input.skipString(crc);
  if ((flags & FCOMMENT) !== 0) crc = await input.skipString(crc);
  if ((flags & FHCRC) !== 0) {
    const check = await input.take(2);
    if (check.length < 2) throw new Error(UNEXPECTED_END);
    if (check.readUInt16LE(0) !== (crc & 0xffff)) return 'gzip header CRC mismatch';
  }
  return undefined;
}

/** The object's bytes with a read position across its chunks. */
class ByteInput {
  private readonly chunks: AsyncIterator<Buffer> | Iterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(source: AsyncIterable<Buffer> | Iterable<Buffer>) {
    this.chunks = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** The unread bytes at hand, at least `n` of them unless the object ends first. */
  async ensure(n: number): Promise<Buffer> {
    while (this.pending.length < n && !this.ended) {
      const next = await this.chunks.next();
      if (next.done === true) this.ended = true;
      else this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    }
    return this.pending;
  }

  skip(n: number): void {
    this.pending = this.pending.subarray(n);
  }

  /** The next `n` bytes, fewer if the object ends first. */
  async take(n: number): Promise<Buffer> {
    const bytes = (await this.ensure(n)).subarray(0, n);
    this.skip(bytes.length);
    return bytes;
  }

  /** Skips a zero-terminated header field; returns the header CRC carried over it. */
  async skipString(crc: number): Promise<number> {
    for (;;) {
      const at = await this.ensure(1);
      if (at.length === 0) throw new Error(UNEXPECTED_END);
      const zero = at.indexOf(0);
      const field = at.subarray(0, zero < 0 ? at.length : zero + 1);
      crc = crc32(field, crc);
      this.skip(field.length);
      if (zero >= 0) return crc;
    }
  }

  /** Reads to the end; how many bytes were left and whether any was not zero. */
  async skipRest(): Promise<{ bytes: number; nonZero: boolean }> {
    let bytes = 0;
    let nonZero = false;
    for (;;) {
      const at = await this.ensure(1);
      if (at.length === 0) return { bytes, nonZero };
      bytes += at.length;
      nonZero ||= at.some((b) => b !== 0);
      this.skip(at.length);
    }
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/**
 * Node's raw inflater fed one piece at a time: what the piece decoded to, how much of it was
 * used (less than all once the deflate data has ended), and the error that stopped it. On an
 * error zlib discards the output of its failing call (at most one output chunk, decoded just
 * before the corrupt spot); everything it handed over before is kept.
 */
class RawInflater {
  // Z_SYNC_FLUSH at the end: input that stops early is not an error here, the caller sees it.
  private readonly zlib = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
  private output: Buffer[] = [];
  private failure: Error | undefined;
  private settle: ((err: Error | null | undefined) => void) | undefined;

  constructor() {
    this.zlib.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.zlib.on('error', (err: Error) => {
      this.failure = err;
      this.settle?.(err);
    });
  }

  write(piece: Buffer): Promise<{ output: Buffer[]; consumed: number; failure: Error | undefined }> {
    const before = this.zlib.bytesWritten;
    return new Promise((resolve) => {
      this.settle = (err) => {
        this.settle = undefined;
        // Output the stream kept buffered instead of emitting is pulled out through 'data'.
        while (!this.zlib.destroyed && this.zlib.readableLength > 0 && this.zlib.read() !== null);
        const output = this.output;
        this.output = [];
        resolve({ output, consumed: this.zlib.bytesWritten - before, failure: this.failure ?? err ?? undefined });
      };
      if (this.failure) this.settle(this.failure);
      else this.zlib.write(piece, (err) => this.settle?.(err));
    });
  }

  close(): void {
    this.zlib.destroy();
  }
}

/**
 * The fast path for a small object read whole: one synchronous inflate on the calling thread,
 * rather than a queued hop through the thread pool for every piece (docs/performance.md). Answers
 * only for the common case, a single intact member whose trailer (CRC-32 and length) matches
 * what was inflated, to at most `maxOutputBytes`; anything else (several members, a damaged or
 * cut object, trailing bytes, a bomb) returns undefined and is read by gunzipObject, which
 * keeps every line it can and says what is wrong.
 */
export function gunzipIntact(bytes: Buffer, maxOutputBytes = DEFAULT_READ_LIMITS.oneCallInflateBytes): Buffer | undefined {
  const start = headerEnd(bytes);
  if (start === undefined || bytes.length < start + TRAILER_BYTES) return undefined;
  // The trailer says how big the data is: one too big for one call goes straight to the
  // streaming reader instead of being inflated here first, then again there.
  const declared = bytes.readUInt32LE(bytes.length - 4);
  if (declared > maxOutputBytes) return undefined;
  const body = bytes.subarray(start, bytes.length - TRAILER_BYTES);
  let output: Buffer;
  try {
    // One output chunk of the declared size, rather than zlib's 16 KiB chunks copied into one
    // buffer afterwards (docs/performance.md). A trailer that lies costs only the usual chunks
    // (or an untouched allocation).
    const chunkSize = Math.max(constants.Z_DEFAULT_CHUNK, declared + 1);
    const inflated = inflateRawSync(body, { maxOutputLength: maxOutputBytes, info: true, chunkSize }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    // The deflate stream must end exactly where the trailer starts. It stops at its own end and
    // ignores the rest, so `cat a.gz a.gz` (whose last trailer matches the first member) would
    // otherwise pass for its first member alone, losing every line of the second.
    if (inflated.engine.bytesWritten !== body.length) return undefined;
    output = inflated.buffer;
  } catch {
    return undefined;
  }
  const crc = bytes.readUInt32LE(bytes.length - TRAILER_BYTES);
  if (crc32(output) >>> 0 !== crc || output.length % 2 ** 32 !== declared) return undefined;
  return output;
}

/** Where a gzip header that readHeader would accept ends, or undefined. */
function headerEnd(bytes: Buffer): number | undefined {
  if (bytes.length < 10 || bytes[0] !== ID1 || bytes[1] !== ID2 || bytes[2] !== DEFLATE) return undefined;
  const flags = bytes[3] as number;
  // Reserved flags and a header CRC (rare) are left to readHeader's checks.
  if ((flags & (RESERVED_FLAGS | FHCRC)) !== 0) return undefined;
  let at = 10;
  if (flags & FEXTRA) {
    if (bytes.length < at + 2) return undefined;
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const zero = bytes.indexOf(0, at);
      if (zero < 0) return undefined;
      at = zero + 1;
    }
  }
  return at <= bytes.length ? at : undefined;
}
