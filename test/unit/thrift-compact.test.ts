/**
 * Thrift's compact protocol as the Parquet footer join uses it: every wire type read and written
 * back to the same bytes, and damaged data refused with a ThriftError, never a wrong tree.
 */
import { describe, expect, it } from 'vitest';
import { decodeStruct, encodeStruct, field, T, ThriftError, type ThriftStruct } from '../../src/formats/parquet/thrift-compact.js';

/** A struct holding one field of every type, with ids that need the long field header too. */
function everyType(): ThriftStruct {
  return {
    fields: [
      { id: 1, type: T.TRUE, value: true },
      { id: 2, type: T.FALSE, value: false },
      { id: 3, type: T.BYTE, value: -5 },
      { id: 4, type: T.I16, value: -300 },
      { id: 5, type: T.I32, value: 2_147_483_647 },
      { id: 6, type: T.I64, value: -(2n ** 63n) },
      { id: 7, type: T.I64, value: 2n ** 63n - 1n },
      { id: 8, type: T.DOUBLE, value: -0.1 },
      { id: 9, type: T.BINARY, value: Buffer.from('ünïcode and \u0000 bytes') },
      // Field ids 15 apart or more, and going down, take the long header.
      { id: 40, type: T.LIST, value: { elementType: T.I32, items: [1, -1, 0] } },
      { id: 41, type: T.LIST, value: { elementType: T.STRUCT, items: Array.from({ length: 20 }, (_, i) => ({ fields: [{ id: 1, type: T.I64, value: BigInt(i) }] })) } },
      { id: 30, type: T.LIST, value: { elementType: T.TRUE, items: [true, false, true] } },
      { id: 31, type: T.SET, value: { elementType: T.BINARY, items: [Buffer.from('a')] } },
      { id: 32, type: T.MAP, value: { keyType: T.BINARY, valueType: T.I32, entries: [[Buffer.from('k'), 7]] } },
      { id: 33, type: T.MAP, value: { keyType: 0, valueType: 0, entries: [] } },
      { id: 1000, type: T.STRUCT, value: { fields: [{ id: 1, type: T.STRUCT, value: { fields: [] } }] } },
    ],
  };
}

describe('Thrift compact protocol', () => {
  it('reads what it writes, every type, and writes it back to the same bytes', () => {
    const bytes = encodeStruct(everyType());
    const { struct, end } = decodeStruct(Buffer.concat([bytes, Buffer.from('after')]));
    expect(end).toBe(bytes.length);
    expect(struct).toEqual(everyType());
    expect(encodeStruct(struct).equals(bytes)).toBe(true);
    expect(field(struct, 6)?.value).toBe(-(2n ** 63n));
    expect(field(struct, 99)).toBeUndefined();
  });

  it('knows the bytes of the protocol, not only its own round trip', () => {
    // Field 1 i32 = 3 (short header 0x15, zigzag 6), field 2 true (0x11), field 20 binary "hi"
    // (long header 0x08 then zigzag 40), stop.
    const bytes = Buffer.from([0x15, 0x06, 0x11, 0x08, 0x28, 0x02, 0x68, 0x69, 0x00]);
    const { struct } = decodeStruct(bytes);
    expect(struct.fields.map((f) => [f.id, f.value])).toEqual([
      [1, 3],
      [2, true],
      [20, Buffer.from('hi')],
    ]);
    expect(encodeStruct(struct).equals(bytes)).toBe(true);
  });

  it('refuses damaged data with a ThriftError', () => {
    const bytes = encodeStruct(everyType());
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeStruct(bytes.subarray(0, cut))).toThrow(ThriftError);
    expect(() => decodeStruct(Buffer.from([0x1d, 0x00]))).toThrow('unknown Thrift compact type 13');
    expect(() => decodeStruct(Buffer.from([0x18, 0xff, 0xff, 0xff, 0x0f]))).toThrow('larger than the data');
    expect(() => decodeStruct(Buffer.from([0x16, ...Array<number>(11).fill(0xff), 0x01]))).toThrow('longer than 64 bits');
    // Structs inside structs, deeper than any footer: refused, not a stack overflow.
    expect(() => decodeStruct(Buffer.alloc(10_000, 0x1c))).toThrow('nested too deeply');
  });

  it('will not write a value of the wrong kind', () => {
    expect(() => encodeStruct({ fields: [{ id: 1, type: T.I64, value: 1 }] })).toThrow(ThriftError);
    expect(() => encodeStruct({ fields: [{ id: 1, type: T.I32, value: 1n }] })).toThrow(ThriftError);
    expect(() => encodeStruct({ fields: [{ id: 1, type: T.BINARY, value: 'text' as unknown as Buffer }] })).toThrow(ThriftError);
  });
});
