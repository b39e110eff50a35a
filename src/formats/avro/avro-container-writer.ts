/**
 * An Avro object container file written block by block (the Avro spec, "Object Container
 * Files"): the header (magic, metadata map with the schema and codec, 16-byte sync marker), then
 * blocks of (row count, byte size, compressed rows, sync marker). The caller encodes rows
 * straight into `buf`; a block is cut exactly where avsc's BlockEncoder cuts it (the most rows
 * whose bytes fit `blockSize`), compressed on this thread and written with one system call.
 */
import { closeSync, openSync, writevSync } from 'node:fs';
import { longBytes, writeLong } from './avro-binary.js';
import { blockCompressor, type BlockCompressor } from './avro-codecs.js';

export const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

export interface ContainerOptions {
  readonly path: string;
  /** The schema as written in the header (JSON). */
  readonly schemaJson: string;
  readonly codec: string;
  readonly syncMarker: Buffer;
  /** Uncompressed bytes of rows per block (avsc's `blockSize`). */
  readonly blockSize: number;
  /** zlib's level for the deflate codec. */
  readonly deflateLevel: number;
}

/** A length-prefixed byte string, as Avro's `bytes` and `string`. */
export function lengthPrefixed(bytes: Buffer): Buffer<ArrayBuffer> {
  const out = Buffer.allocUnsafe(longBytes(bytes.length) + bytes.length);
  out.set(bytes, writeLong(out, 0, bytes.length));
  return out;
}

/**
 * A container's header as avsc writes it: magic, the metadata map as one block of entries
 * then 0, the sync marker. Used for the tasks' files and for the finish's joined parts.
 */
export function containerHeader(meta: readonly (readonly [string, Buffer])[], syncMarker: Buffer): Buffer {
  const count = Buffer.allocUnsafe(longBytes(meta.length));
  writeLong(count, 0, meta.length);
  const entries = meta.flatMap(([key, value]) => [lengthPrefixed(Buffer.from(key, 'utf8')), lengthPrefixed(value)]);
  return Buffer.concat([MAGIC, count, ...entries, Buffer.from([0]), syncMarker]);
}

export class AvroContainerWriter {
  /** Rows of the open block from 0, then the row being written; callers encode at `pos`. */
  buf: Buffer;
  pos = 0;
  /** Rows written in all. */
  rows = 0;
  private blockRows = 0;
  private blockSize: number;
  private readonly compress: BlockCompressor;
  private readonly blockPrefix = Buffer.allocUnsafe(20);
  private fd: number | undefined;
  private written = false;

  constructor(private readonly options: ContainerOptions) {
    this.blockSize = options.blockSize;
    this.compress = blockCompressor(options.codec, options.deflateLevel);
    this.buf = Buffer.allocUnsafe(2 * options.blockSize);
  }

  /** Makes room for a row of at most `bytes` at `pos`. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /**
   * Ends the row encoded from `rowStart` to `pos`. Like avsc: when the row takes the block past
   * its size, the rows before it are a block and the row starts the next one (a row bigger than
   * the block size doubles the size, once for all).
   */
  endRow(rowStart: number): void {
    this.rows++;
    if (this.pos > this.blockSize) {
      const rowBytes = this.pos - rowStart;
      if (rowStart > 0) {
        this.flushBlock(rowStart);
        this.buf.copy(this.buf, 0, rowStart, rowStart + rowBytes);
        this.pos = rowBytes;
      }
      if (rowBytes > this.blockSize) this.blockSize = rowBytes * 2;
    }
    this.blockRows++;
  }

  /** Compresses and writes the buffer's first `bytes`: the block's rows. */
  private flushBlock(bytes: number): void {
    const rows = this.blockRows;
    const data = this.compress(this.buf.subarray(0, bytes));
    const prefix = this.blockPrefix;
    const prefixEnd = writeLong(prefix, writeLong(prefix, 0, rows), data.length);
    if (this.fd === undefined) {
      this.fd = openSync(this.options.path, 'w');
      const { schemaJson, codec, syncMarker } = this.options;
      writeAll(this.fd, [containerHeader([['avro.schema', Buffer.from(schemaJson, 'utf8')], ['avro.codec', Buffer.from(codec, 'utf8')]], syncMarker)]);
    }
    writeAll(this.fd, [prefix.subarray(0, prefixEnd), data, this.options.syncMarker]);
    this.blockRows = 0;
  }

  /** Writes the last block and closes the file; true when a file was written (some row came). */
  close(): boolean {
    try {
      if (this.blockRows > 0) this.flushBlock(this.pos);
      this.pos = 0;
    } finally {
      // Closed even when the last write failed (a full disk), and never twice.
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) closeSync(fd);
      this.written ||= fd !== undefined;
    }
    return this.written;
  }
}

/** Writes every byte of `parts`: writevSync may write less than asked (a signal, a full pipe); what is left is written again. */
export function writeAll(fd: number, parts: Buffer[]): void {
  let total = 0;
  for (const part of parts) total += part.length;
  let written = writevSync(fd, parts);
  while (written < total) {
    const rest: Buffer[] = [];
    let skip = written;
    for (const part of parts) {
      if (skip >= part.length) {
        skip -= part.length;
        continue;
      }
      rest.push(part.subarray(skip));
      skip = 0;
    }
    total -= written;
    parts = rest;
    written = writevSync(fd, parts);
  }
}
