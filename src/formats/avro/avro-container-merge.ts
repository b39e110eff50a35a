/**
 * Joins Avro container files of one schema and codec into files of about a target size, by
 * copying their compressed blocks: nothing is decoded or compressed again, and rows stay in
 * the order of the inputs. Written by hand because avsc has no container concatenation (the
 * Java avro-tools `concat` does the same); the container layout is in the Avro spec:
 * magic, metadata map, 16-byte sync marker, then blocks of (count, size, data, sync marker).
 * Inputs are read and outputs written through two reused buffers: reading each input into a
 * fresh buffer of its size cost more in page faults than the copying itself.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { containerHeader, MAGIC, writeAll } from './avro-container-writer.js';

const SYNC_BYTES = 16;
/** Two varints of a block's start: at most 10 bytes each. */
const BLOCK_HEAD_BYTES = 20;
const IO_BUFFER_BYTES = 4 * 1024 * 1024;

/** Thrown while parsing bytes that end too soon; a caller with more to read reads on. */
class Truncated extends Error {}

/** Reads Avro's zig-zag varint longs and length-prefixed bytes from [pos, end). */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  long(): number {
    let shift = 1;
    let value = 0;
    let byte: number;
    do {
      if (this.pos >= this.end) throw new Truncated('Avro container ends inside a number');
      byte = this.buf[this.pos++] as number;
      value += (byte & 0x7f) * shift;
      shift *= 128;
    } while (byte & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  bytes(): Buffer {
    const n = this.long();
    if (this.pos + n > this.end) throw new Truncated('Avro container ends inside its header');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** One input read front to back through a shared buffer: `buf[start, end)` is read, not yet used. */
class InputReader {
  start = 0;
  end = 0;
  private readonly fd: number;
  private eof = false;

  constructor(
    readonly path: string,
    private readonly io: { buf: Buffer },
  ) {
    this.fd = openSync(path, 'r');
  }

  get buf(): Buffer {
    return this.io.buf;
  }

  get available(): number {
    return this.end - this.start;
  }

  /** Reads until `bytes` are available or the file ends; returns what is available. */
  fill(bytes: number): number {
    if (this.available >= bytes || this.eof) return this.available;
    let buf = this.io.buf;
    if (buf.length - this.start < bytes) {
      if (buf.length < bytes) {
        const grown = Buffer.allocUnsafe(Math.max(bytes, 2 * buf.length));
        buf.copy(grown, 0, this.start, this.end);
        this.io.buf = buf = grown;
      } else {
        buf.copy(buf, 0, this.start, this.end);
      }
      this.end -= this.start;
      this.start = 0;
    }
    while (this.end - this.start < bytes) {
      const n = readSync(this.fd, buf, this.end, buf.length - this.end, null);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    }
    return this.available;
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }
}

interface Header {
  readonly meta: [string, Buffer][];
  readonly sync: Buffer;
}

function parseHeader(input: InputReader): Header {
  for (let want = Math.min(64 * 1024, input.size()); ; want *= 2) {
    const got = input.fill(want);
    const cursor = new Cursor(input.buf, input.start, input.end);
    if (got < 4 || !input.buf.subarray(input.start, input.start + 4).equals(MAGIC)) throw new Error(`${input.path} is not an Avro container file`);
    cursor.pos += 4;
    try {
      const meta: [string, Buffer][] = [];
      for (let count = cursor.long(); count !== 0; count = cursor.long()) {
        if (count < 0) {
          cursor.long(); // the block's byte size, not needed
          count = -count;
        }
        for (let i = 0; i < count; i++) meta.push([cursor.bytes().toString('utf8'), Buffer.from(cursor.bytes())]);
      }
      if (cursor.pos + SYNC_BYTES > cursor.end) throw new Truncated('Avro container ends inside its header');
      const sync = Buffer.from(input.buf.subarray(cursor.pos, cursor.pos + SYNC_BYTES));
      input.start = cursor.pos + SYNC_BYTES;
      return { meta, sync };
    } catch (err) {
      if (!(err instanceof Truncated) || got < want) throw err;
    }
  }
}

/** An output file written through a buffer. */
class OutputFile {
  rows = 0;
  bytes = 0;
  private readonly fd: number;
  private pos = 0;

  constructor(
    readonly path: string,
    readonly sync: Buffer,
    readonly headerBytes: number,
    private readonly out: Buffer,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(bytes: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.out.length) this.flush();
    if (n > this.out.length) {
      writeAll(this.fd, [bytes.subarray(start, end)]);
    } else {
      bytes.copy(this.out, this.pos, start, end);
      this.pos += n;
    }
    this.bytes += n;
  }

  private flush(): void {
    writeAll(this.fd, [this.out.subarray(0, this.pos)]);
    this.pos = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

export interface MergedFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Writes the inputs' blocks, in order, to `pathFor(0)`, `pathFor(1)`, …, starting a new file
 * before a block that would take the current one past `targetBytes`. Each file's sync marker
 * is derived from its name and the inputs' markers, so the same inputs give the same bytes.
 */
export function mergeContainers(inputs: readonly string[], targetBytes: number, pathFor: (index: number) => string, name: string): MergedFile[] {
  const files: MergedFile[] = [];
  const io = { buf: Buffer.allocUnsafe(IO_BUFFER_BYTES) };
  const outBuffer = Buffer.allocUnsafe(IO_BUFFER_BYTES);
  let current: OutputFile | undefined;
  const close = (): void => {
    if (current === undefined) return;
    const file = current;
    current = undefined;
    file.close();
    files.push({ path: file.path, rows: file.rows, bytes: file.bytes });
  };
  try {
    for (const path of inputs) {
      const input = new InputReader(path, io);
      try {
        const container = parseHeader(input);
        while (input.fill(BLOCK_HEAD_BYTES) > 0) {
          const cursor = new Cursor(input.buf, input.start, input.end);
          let rows: number;
          let size: number;
          try {
            rows = cursor.long();
            size = cursor.long();
          } catch (err) {
            throw err instanceof Truncated ? new Error(`${path} ends inside a block`) : err;
          }
          const dataBytes = cursor.pos - input.start + size;
          const blockBytes = dataBytes + SYNC_BYTES;
          if (input.fill(blockBytes) < blockBytes) throw new Error(`${path} ends inside a block`);
          if (current !== undefined && current.bytes > current.headerBytes && current.bytes + blockBytes > targetBytes) close();
          if (current === undefined) {
            const sync = createHash('md5').update(`${name}\0${files.length}\0`).update(container.sync).digest();
            const head = containerHeader(container.meta, sync);
            current = new OutputFile(pathFor(files.length), sync, head.length, outBuffer);
            current.write(head, 0, head.length);
          }
          current.write(input.buf, input.start, input.start + dataBytes);
          current.write(current.sync, 0, SYNC_BYTES);
          current.rows += rows;
          input.start += blockBytes;
        }
      } finally {
        input.close();
      }
    }
    close();
  } finally {
    // A failed merge leaves no descriptor open; its files are scratch, rewritten on the next try.
    if (current !== undefined) (current as OutputFile).close();
  }
  return files;
}
