/**
 * Thrift's compact protocol, read into a tree that keeps every field's id and wire type, and
 * written back from it: what Parquet's footer is encoded in. Decoding and encoding a struct
 * gives its bytes back unchanged, fields this code knows nothing of included, so a footer can
 * be edited (a few offsets) without a Parquet schema compiled in.
 * Written here because no library does this: Thrift's own library needs code generated from
 * parquet.thrift, and the JavaScript Parquet libraries read footers into objects of the fields
 * they know, losing wire types (i16 against i32) and fields they do not.
 */

/** Compact protocol wire types. */
export const T = {
  STOP: 0,
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export interface ThriftList {
  readonly elementType: number;
  readonly items: ThriftValue[];
}

export interface ThriftMap {
  readonly keyType: number;
  readonly valueType: number;
  readonly entries: [ThriftValue, ThriftValue][];
}

/** i8, i16 and i32 are numbers, i64 a bigint, a double a number, binary a Buffer. */
export type ThriftValue = boolean | number | bigint | Buffer | ThriftList | ThriftMap | ThriftStruct;

export interface ThriftField {
  readonly id: number;
  /** The wire type it was read with and is written with (TRUE for a boolean either way). */
  readonly type: number;
  value: ThriftValue;
}

export interface ThriftStruct {
  readonly fields: ThriftField[];
}

export class ThriftError extends Error {}

/** Nesting deeper than Parquet's own (a footer is a few levels deep) is refused, not recursed. */
const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new ThriftError('Thrift data ends in the middle of a value');
    return this.buf[this.pos++] as number;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ThriftError('Thrift varint longer than 64 bits');
    }
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  bytes(length: number): Buffer {
    if (this.pos + length > this.buf.length) throw new ThriftError('Thrift binary runs past the end of the data');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  value(type: number, depth: number): ThriftValue {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.BYTE: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return this.zigzag();
      case T.DOUBLE:
        return this.bytes(8).readDoubleLE(0);
      case T.BINARY:
        return this.bytes(this.size());
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const elementType = header & 0x0f;
        const size = header >> 4 === 0x0f ? this.size() : header >> 4;
        const items: ThriftValue[] = [];
        // A boolean element is a byte of its own: 1 true, anything else false.
        for (let i = 0; i < size; i++) items.push(elementType === T.TRUE || elementType === T.FALSE ? this.byte() === T.TRUE : this.value(elementType, depth + 1));
        return { elementType, items };
      }
      case T.MAP: {
        const size = this.size();
        const kinds = size > 0 ? this.byte() : 0;
        const keyType = kinds >> 4;
        const valueType = kinds & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(keyType, depth + 1), this.value(valueType, depth + 1)]);
        return { keyType, valueType, entries };
      }
      case T.STRUCT:
        return this.struct(depth + 1);
      default:
        throw new ThriftError(`unknown Thrift compact type ${type}`);
    }
  }

  size(): number {
    const n = this.varint();
    if (n > BigInt(this.buf.length)) throw new ThriftError(`Thrift size ${n} is larger than the data`);
    return Number(n);
  }

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError('Thrift structs nested too deeply');
    const fields: ThriftField[] = [];
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === T.STOP) return { fields };
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.push({ id, type, value: this.value(type, depth) });
    }
  }
}

/** Reads one struct from the start of `buf`; `end` is where its bytes stop. */
export function decodeStruct(buf: Buffer): { struct: ThriftStruct; end: number } {
  const reader = new Reader(buf);
  const struct = reader.struct(0);
  return { struct, end: reader.pos };
}

class Writer {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b & 0xff;
  }

  varint(value: bigint): void {
    let n = value;
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      this.byte(b);
    } while (n > 0n);
  }

  zigzag(value: bigint): void {
    this.varint(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
  }

  bytes(b: Buffer): void {
    this.reserve(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  value(type: number, value: ThriftValue): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        return; // in the field header
      case T.BYTE:
        return this.byte(expectNumber(value));
      case T.I16:
      case T.I32:
        return this.zigzag(BigInt(expectNumber(value)));
      case T.I64:
        if (typeof value !== 'bigint') throw new ThriftError('an i64 must be a bigint');
        return this.zigzag(value);
      case T.DOUBLE: {
        this.reserve(8);
        this.buf.writeDoubleLE(expectNumber(value), this.pos);
        this.pos += 8;
        return;
      }
      case T.BINARY:
        if (!Buffer.isBuffer(value)) throw new ThriftError('binary must be a Buffer');
        this.varint(BigInt(value.length));
        return this.bytes(value);
      case T.LIST:
      case T.SET: {
        const list = value as ThriftList;
        const size = list.items.length;
        if (size < 15) this.byte((size << 4) | list.elementType);
        else {
          this.byte(0xf0 | list.elementType);
          this.varint(BigInt(size));
        }
        for (const item of list.items) {
          if (list.elementType === T.TRUE || list.elementType === T.FALSE) this.byte(item === true ? T.TRUE : T.FALSE);
          else this.value(list.elementType, item);
        }
        return;
      }
      case T.MAP: {
        const map = value as ThriftMap;
        this.varint(BigInt(map.entries.length));
        if (map.entries.length > 0) this.byte((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.value(map.keyType, k);
          this.value(map.valueType, v);
        }
        return;
      }
      case T.STRUCT:
        return this.struct(value as ThriftStruct);
      default:
        throw new ThriftError(`unknown Thrift compact type ${type}`);
    }
  }

  struct(struct: ThriftStruct): void {
    let last = 0;
    for (const field of struct.fields) {
      const type = field.type === T.TRUE || field.type === T.FALSE ? (field.value === true ? T.TRUE : T.FALSE) : field.type;
      const delta = field.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(field.id));
      }
      last = field.id;
      this.value(type, field.value);
    }
    this.byte(T.STOP);
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function expectNumber(value: ThriftValue): number {
  if (typeof value !== 'number') throw new ThriftError('expected a number');
  return value;
}

export function encodeStruct(struct: ThriftStruct): Buffer {
  const writer = new Writer();
  writer.struct(struct);
  return writer.result();
}

/** The field with `id`, if the struct has it. */
export function field(struct: ThriftStruct, id: number): ThriftField | undefined {
  return struct.fields.find((f) => f.id === id);
}
