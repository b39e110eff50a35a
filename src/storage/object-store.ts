/**
 * The object-store port: what the pipeline needs from a bucket or a folder.
 * Keys are `/`-separated and relative to the store's root.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ObjectStore {
  /** A description for messages, e.g. the folder path or `s3://bucket/prefix`. */
  readonly location: string;
  /** Every object under `prefix` (recursively), in no particular order. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** The object's bytes as a stream; the stream errors when the object cannot be read. */
  read(key: string): Readable;
  /** The whole object at once: cheaper than a stream for the many small objects of a feed. */
  readAll(key: string): Promise<Buffer>;
  /** Writes the whole object so readers see either nothing or all of it. */
  write(key: string, body: Buffer | Readable): Promise<void>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}
