/**
 * The object-store port: what the pipeline needs from a bucket or a folder.
 * Keys are `/`-separated and relative to the store's root.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Changes whenever the object's content does (S3's ETag; size and mtime for a folder). */
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ObjectVersion {
  readonly body: Buffer;
  readonly etag: string;
}

/** Something listed that is not an object the pipeline can read, and why. */
export interface SkippedEntry {
  readonly key: string;
  readonly reason: string;
}

export interface ListOptions {
  /** Called for entries that cannot be objects (a symlink, a name that is not UTF-8). */
  readonly onSkipped?: (entry: SkippedEntry) => void;
}

export interface ObjectStore {
  /** A description for messages, e.g. the folder path or `s3://bucket/prefix`. */
  readonly location: string;
  /** Fails with one clear sentence when the store cannot be read at all. */
  assertReadable(): Promise<void>;
  /** Every object whose key starts with `prefix` (as S3 lists), in no particular order. */
  list(prefix?: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** The object's bytes as a stream; the stream errors when the object cannot be read. */
  read(key: string): Readable;
  /**
   * The whole object at once: cheaper than a stream for the many small objects of a feed.
   * With `into`, a store may read into that buffer when the object fits and answer a view of
   * it, so a caller reading object after object reuses memory; the caller must be done with
   * the view before it passes the same buffer again. Stores without the use for it ignore it.
   */
  readAll(key: string, into?: Buffer): Promise<Buffer>;
  /** Writes the whole object so readers see either nothing or all of it. */
  write(key: string, body: Buffer | Readable): Promise<void>;
  /** Writes the object only if no object has the key; false when one already had it. */
  createIfAbsent(key: string, body: Buffer): Promise<boolean>;
  /** The whole object and the etag of exactly those bytes; undefined when there is no such object. */
  readVersion(key: string): Promise<ObjectVersion | undefined>;
  /**
   * Replaces the object only while its etag is still `etag` (S3's `If-Match`); false when it
   * changed or is gone. With createIfAbsent, what leases and claims are built on.
   */
  replaceIfMatch(key: string, body: Buffer, etag: string): Promise<boolean>;
  /** Copies an object within the store (on S3 a server-side copy); answers the copy's etag. */
  copy(fromKey: string, toKey: string): Promise<string>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}
