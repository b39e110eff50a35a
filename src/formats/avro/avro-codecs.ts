/**
 * Block codecs for Avro container files. avsc knows deflate only; snappy is added here as the
 * Avro spec defines it: the snappy-compressed block followed by the big-endian CRC-32 of the
 * uncompressed bytes.
 */
import { crc32, deflateRaw, inflateRaw } from 'node:zlib';
import snappy from 'snappyjs';

type Codec = (buffer: Buffer, callback: (err: Error | null, result?: Buffer) => void) => void;

const snappyCodec: Codec = (buffer, callback) => {
  try {
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(buffer) >>> 0);
    callback(null, Buffer.concat([Buffer.from(snappy.compress(buffer)), checksum]));
  } catch (err) {
    callback(err as Error);
  }
};

export const avroCodecs: Record<string, Codec> = {
  deflate: deflateRaw as unknown as Codec,
  snappy: snappyCodec,
};

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
