/**
 * Joins Parquet files of one schema into one file: their row groups' bytes are copied one
 * after the other, unchanged, and one footer lists every row group, with the offsets of the
 * later files' row groups moved by where their bytes now start. Nothing is decoded or
 * compressed again, so a join costs a file copy. This lets the finish write an hour as two
 * halves on two threads, each a plain one-thread COPY, and still publish one file.
 *
 * Only what DuckDB writes is joined: row groups with their column chunks, dictionaries and
 * bloom filters in the file. A footer with page indexes, column chunks in other files or
 * encryption is refused (ParquetJoinError), and the caller writes the hour another way.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { decodeStruct, encodeStruct, field, T, ThriftError, type ThriftList, type ThriftStruct } from './thrift-compact.js';

export class ParquetJoinError extends Error {}

const MAGIC = Buffer.from('PAR1');
/** The footer's length and the closing magic. */
const TAIL_BYTES = 8;
const COPY_CHUNK = 1024 * 1024;

// Field ids in parquet.thrift.
const FILE_META = { schema: 2, numRows: 3, rowGroups: 4, encryption: 8 } as const;
const ROW_GROUP = { columns: 1, fileOffset: 5, ordinal: 7 } as const;
const COLUMN_CHUNK = { filePath: 1, fileOffset: 2, metaData: 3, offsetIndexOffset: 4, columnIndexOffset: 6, cryptoMetadata: 8, encryptedMetadata: 9 } as const;
/** ColumnMetaData's absolute offsets: data page, index page, dictionary page, bloom filter. */
const COLUMN_META_OFFSETS = [9, 10, 11, 14] as const;

interface OpenedFile {
  readonly path: string;
  readonly fd: number;
  /** Where the footer starts: the row groups' bytes are [4, footerStart). */
  readonly footerStart: number;
  readonly footer: ThriftStruct;
}

export interface JoinedFile {
  readonly rows: number;
  readonly bytes: number;
}

function readExactly(fd: number, length: number, position: number, path: string): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buf, read, length - read, position + read);
    if (n === 0) throw new ParquetJoinError(`${path} ends before its footer says it should`);
    read += n;
  }
  return buf;
}

function writeAll(fd: number, buf: Buffer): void {
  let written = 0;
  while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
}

/** A footer Thrift cannot read is a file this join cannot join, not a failure of the hour. */
function decodeFooter(bytes: Buffer, path: string): ReturnType<typeof decodeStruct> {
  try {
    return decodeStruct(bytes);
  } catch (err) {
    if (err instanceof ThriftError) throw new ParquetJoinError(`${path}'s footer cannot be read: ${err.message}`);
    throw err;
  }
}

function openParquet(path: string): OpenedFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < MAGIC.length + TAIL_BYTES) throw new ParquetJoinError(`${path} is too short to be Parquet`);
    const tail = readExactly(fd, TAIL_BYTES, size - TAIL_BYTES, path);
    if (!readExactly(fd, 4, 0, path).equals(MAGIC) || !tail.subarray(4).equals(MAGIC)) {
      throw new ParquetJoinError(`${path} is not a plain Parquet file (encrypted footers are not joined)`);
    }
    const footerLength = tail.readUInt32LE(0);
    const footerStart = size - TAIL_BYTES - footerLength;
    if (footerStart < MAGIC.length) throw new ParquetJoinError(`${path} has a footer longer than the file`);
    const { struct: footer, end } = decodeFooter(readExactly(fd, footerLength, footerStart, path), path);
    if (end !== footerLength) throw new ParquetJoinError(`${path}'s footer has ${footerLength - end} bytes after its end`);
    if (field(footer, FILE_META.encryption)) throw new ParquetJoinError(`${path} is encrypted`);
    return { path, fd, footerStart, footer };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function listOf(struct: ThriftStruct, id: number, what: string): ThriftList {
  const f = field(struct, id);
  if (f?.type !== T.LIST) throw new ParquetJoinError(`a Parquet footer without its ${what}`);
  return f.value as ThriftList;
}

/** Adds `delta` to an i64 offset field, when it is set (0 is how writers leave a deprecated one unset). */
function moveOffset(struct: ThriftStruct, id: number, delta: bigint): void {
  const f = field(struct, id);
  if (f === undefined) return;
  if (f.type !== T.I64 || typeof f.value !== 'bigint') throw new ParquetJoinError(`Parquet offset field ${id} is not an i64`);
  if (f.value > 0n) f.value += delta;
}

/** Moves one row group's offsets by `delta` and gives it its place among the joined ones. */
function moveRowGroup(rowGroup: ThriftStruct, delta: bigint, ordinal: number, path: string): void {
  moveOffset(rowGroup, ROW_GROUP.fileOffset, delta);
  const ordinalField = field(rowGroup, ROW_GROUP.ordinal);
  if (ordinalField) ordinalField.value = ordinal;
  for (const chunk of listOf(rowGroup, ROW_GROUP.columns, 'column chunks').items as ThriftStruct[]) {
    for (const refused of [COLUMN_CHUNK.filePath, COLUMN_CHUNK.offsetIndexOffset, COLUMN_CHUNK.columnIndexOffset, COLUMN_CHUNK.cryptoMetadata, COLUMN_CHUNK.encryptedMetadata]) {
      if (field(chunk, refused)) throw new ParquetJoinError(`${path} has page indexes, external or encrypted column chunks, which are not joined`);
    }
    moveOffset(chunk, COLUMN_CHUNK.fileOffset, delta);
    const meta = field(chunk, COLUMN_CHUNK.metaData);
    if (meta?.type !== T.STRUCT) throw new ParquetJoinError(`${path} has a column chunk without its metadata`);
    for (const id of COLUMN_META_OFFSETS) moveOffset(meta.value as ThriftStruct, id, delta);
  }
}

/** One field as bytes, to compare two footers' schemas exactly. */
function encodedField(struct: ThriftStruct, id: number): Buffer {
  const f = field(struct, id);
  return encodeStruct({ fields: f ? [f] : [] });
}

function numRows(footer: ThriftStruct): bigint {
  const f = field(footer, FILE_META.numRows);
  if (f?.type !== T.I64 || typeof f.value !== 'bigint') throw new ParquetJoinError('a Parquet footer without its row count');
  return f.value;
}

/**
 * Writes `output` as the row groups of `inputs`, in order, under the first input's schema and
 * file metadata. Every input must have exactly the first one's schema.
 */
export function joinParquetFiles(inputs: readonly string[], output: string): JoinedFile {
  if (inputs.length === 0) throw new ParquetJoinError('nothing to join');
  const opened: OpenedFile[] = [];
  let out: number | undefined;
  try {
    for (const path of inputs) opened.push(openParquet(path));
    const first = opened[0] as OpenedFile;
    const schema = encodedField(first.footer, FILE_META.schema);
    const rowGroups: ThriftStruct[] = [];
    let rows = 0n;
    let position = MAGIC.length;
    out = openSync(output, 'w');
    writeAll(out, MAGIC);
    const chunk = Buffer.allocUnsafe(COPY_CHUNK);
    for (const file of opened) {
      if (!encodedField(file.footer, FILE_META.schema).equals(schema)) throw new ParquetJoinError(`${file.path} has another schema than ${first.path}`);
      const delta = BigInt(position - MAGIC.length);
      for (const rowGroup of listOf(file.footer, FILE_META.rowGroups, 'row groups').items as ThriftStruct[]) {
        moveRowGroup(rowGroup, delta, rowGroups.length, file.path);
        rowGroups.push(rowGroup);
      }
      rows += numRows(file.footer);
      // The row groups' bytes (and their bloom filters) as they are.
      for (let at = MAGIC.length; at < file.footerStart; ) {
        const n = readSync(file.fd, chunk, 0, Math.min(COPY_CHUNK, file.footerStart - at), at);
        if (n === 0) throw new ParquetJoinError(`${file.path} ended while it was copied`);
        writeAll(out, chunk.subarray(0, n));
        at += n;
      }
      position += file.footerStart - MAGIC.length;
    }
    const footer: ThriftStruct = {
      fields: first.footer.fields.map((f) => {
        if (f.id === FILE_META.numRows) return { id: f.id, type: T.I64, value: rows };
        if (f.id === FILE_META.rowGroups) return { id: f.id, type: T.LIST, value: { elementType: T.STRUCT, items: rowGroups } };
        return f;
      }),
    };
    const encoded = encodeStruct(footer);
    const tail = Buffer.allocUnsafe(TAIL_BYTES);
    tail.writeUInt32LE(encoded.length, 0);
    MAGIC.copy(tail, 4);
    writeAll(out, encoded);
    writeAll(out, tail);
    if (rows > BigInt(Number.MAX_SAFE_INTEGER)) throw new ParquetJoinError('too many rows to count');
    return { rows: Number(rows), bytes: position + encoded.length + TAIL_BYTES };
  } finally {
    for (const file of opened) closeSync(file.fd);
    if (out !== undefined) closeSync(out);
  }
}
