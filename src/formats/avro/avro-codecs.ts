/**
 * Block codecs for Avro container files. avsc knows deflate only; snappy is added here as the
 * Avro spec defines it: the snappy-compressed block followed by the big-endian CRC-32 of the
 * uncompressed bytes.
 */
import { crc32, deflateRaw } from 'node:zlib';
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
