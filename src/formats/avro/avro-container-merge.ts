/**
 * Joins Avro container files of one schema and codec into files of about a target size, by
 * copying their compressed blocks: nothing is decoded or compressed again, and rows stay in
 * the order of the inputs. Written by hand because avsc has no container concatenation (the
 * Java avro-tools `concat` does the same); the container layout is in the Avro spec:
 * magic, metadata map, 16-byte sync marker, then blocks of (count, size, data, sync marker).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_BYTES = 16;

/** Reads Avro's zig-zag varint longs and length-prefixed bytes. */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  long(): number {
    let shift = 1;
    let value = 0;
    let byte: number;
    do {
      if (this.pos >= this.buf.length) throw new Error('Avro container ends inside a number');
      byte = this.buf[this.pos++] as number;
      value += (byte & 0x7f) * shift;
      shift *= 128;
    } while (byte & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  bytes(): Buffer {
    const n = this.long();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function encodeLong(n: number): Buffer {
  let value = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

function encodeBytes(b: Buffer): Buffer {
  return Buffer.concat([encodeLong(b.length), b]);
}

interface Container {
  readonly meta: [string, Buffer][];
  readonly sync: Buffer;
  readonly cursor: Cursor;
}

function readContainer(path: string): Container {
  const cursor = new Cursor(readFileSync(path));
  if (!cursor.buf.subarray(0, 4).equals(MAGIC)) throw new Error(`${path} is not an Avro container file`);
  cursor.pos = 4;
  const meta: [string, Buffer][] = [];
  for (let count = cursor.long(); count !== 0; count = cursor.long()) {
    if (count < 0) {
      cursor.long(); // the block's byte size, not needed
      count = -count;
    }
    for (let i = 0; i < count; i++) meta.push([cursor.bytes().toString('utf8'), Buffer.from(cursor.bytes())]);
  }
  const sync = cursor.buf.subarray(cursor.pos, cursor.pos + SYNC_BYTES);
  cursor.pos += SYNC_BYTES;
  return { meta, sync, cursor };
}

function header(meta: readonly [string, Buffer][], sync: Buffer): Buffer {
  const entries = meta.flatMap(([key, value]) => [encodeBytes(Buffer.from(key, 'utf8')), encodeBytes(value)]);
  return Buffer.concat([MAGIC, encodeLong(meta.length), ...entries, encodeLong(0), sync]);
}

interface OpenPart {
  readonly path: string;
  rows: number;
  bytes: number;
  readonly headerBytes: number;
  readonly sync: Buffer;
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
  let fd: number | undefined;
  let current: OpenPart = { path: '', rows: 0, bytes: 0, headerBytes: 0, sync: Buffer.alloc(SYNC_BYTES) };
  const close = (): void => {
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
    files.push({ path: current.path, rows: current.rows, bytes: current.bytes });
  };
  for (const input of inputs) {
    const container = readContainer(input);
    const { cursor } = container;
    while (cursor.pos < cursor.buf.length) {
      const blockStart = cursor.pos;
      const rows = cursor.long();
      const size = cursor.long();
      const dataStart = cursor.pos;
      cursor.pos = dataStart + size + SYNC_BYTES;
      if (cursor.pos > cursor.buf.length) throw new Error(`${input} ends inside a block`);
      const blockBytes = cursor.pos - blockStart;
      if (fd !== undefined && current.bytes > current.headerBytes && current.bytes + blockBytes > targetBytes) close();
      if (fd === undefined) {
        const path = pathFor(files.length);
        const sync = createHash('md5').update(`${name}\0${files.length}\0`).update(container.sync).digest();
        const head = header(container.meta, sync);
        fd = openSync(path, 'w');
        writeSync(fd, head);
        current = { path, rows: 0, bytes: head.length, headerBytes: head.length, sync };
      }
      writeSync(fd, cursor.buf, blockStart, dataStart + size - blockStart);
      writeSync(fd, current.sync);
      current.rows += rows;
      current.bytes += blockBytes;
    }
  }
  close();
  return files;
}
