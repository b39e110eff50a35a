/**
 * Block codecs for Avro container files. Blocks are compressed here, synchronously, by the part
 * writer; avsc's BlockDecoder reads them with `avroDecoders` (it knows deflate only). Snappy is
 * as the Avro spec defines it: the snappy-compressed block followed by the big-endian CRC-32 of
 * the uncompressed bytes.
 */
import { crc32, deflateRawSync, inflateRaw } from 'node:zlib';
import snappy from 'snappyjs';

/** The codecs eventlake writes; deflate first, the default: every Avro reader has it. */
export const AVRO_CODECS = ['deflate', 'snappy'] as const;

export type BlockCompressor = (block: Buffer) => Buffer;

/** The compressor of `codec` (`null` too, for tests: blocks as they are). */
export function blockCompressor(codec: string, deflateLevel: number): BlockCompressor {
  switch (codec) {
    case 'deflate':
      // memLevel 9 (zlib's default is 8): faster on these blocks, and a little smaller.
      return (block) => deflateRawSync(block, { level: deflateLevel, memLevel: 9 });
    case 'snappy':
      return (block) => {
        const compressed = snappy.compress(block);
        const out = Buffer.allocUnsafe(compressed.length + 4);
        out.set(compressed, 0);
        out.writeUInt32BE(crc32(block) >>> 0, compressed.length);
        return out;
      };
    case 'null':
      return (block) => block;
    default:
      throw new Error(`unsupported Avro codec: ${codec}`);
  }
}

type Codec = (buffer: Buffer, callback: (err: Error | null, result?: Buffer) => void) => void;

const snappyDecoder: Codec = (buffer, callback) => {
  try {
    // The last four bytes are the CRC-32 of the uncompressed block.
    const block = Buffer.from(snappy.uncompress(buffer.subarray(0, buffer.length - 4)));
    if ((crc32(block) >>> 0) !== buffer.readUInt32BE(buffer.length - 4)) throw new Error('a snappy block of the Avro file fails its CRC-32 check');
    callback(null, block);
  } catch (err) {
    callback(err as Error);
  }
};

/** What avsc's BlockDecoder takes to read every codec eventlake writes. */
export const avroDecoders: Record<string, Codec> = {
  deflate: inflateRaw as unknown as Codec,
  snappy: snappyDecoder,
};
