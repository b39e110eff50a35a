/**
 * An in-memory ObjectStore test double that honours conditional writes as S3 does: createIfAbsent
 * is PutObject with `If-None-Match: *`, replaceIfMatch is PutObject with `If-Match: <etag>`, each
 * checked and applied in one step, so of many racers exactly one wins. It exists because s3rver,
 * the real S3 server the S3 adapter is tested against, ignores If-None-Match and so cannot test
 * leases. Etags are quoted MD5s of the bytes, as S3 gives for single-part objects.
 *
 * `before` runs ahead of every operation: tests hold racers at a gate with it, count operations,
 * advance a clock, or throw to play a store that fails at an exact point.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore, ObjectVersion } from '../../src/storage/object-store.js';

export type StoreOperation = 'list' | 'read' | 'readAll' | 'write' | 'createIfAbsent' | 'readVersion' | 'replaceIfMatch' | 'copy' | 'delete';

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
}

function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

async function collect(body: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export class ConditionalMemoryStore implements ObjectStore {
  readonly location = 'memory://lake/';
  readonly objects = new Map<string, StoredObject>();
  before: ((operation: StoreOperation, key: string) => void | Promise<void>) | undefined;

  async assertReadable(): Promise<void> {}

  /** The object's bytes as text, or undefined: for assertions. */
  text(key: string): string | undefined {
    return this.objects.get(key)?.body.toString('utf8');
  }

  /** Every key with the prefix, sorted: for assertions. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  private put(key: string, body: Buffer): string {
    const etag = etagOf(body);
    this.objects.set(key, { body, etag, lastModified: new Date() });
    return etag;
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    await this.before?.('list', prefix);
    for (const key of this.keys(prefix)) {
      const found = this.objects.get(key);
      if (found) yield { key, size: found.body.length, etag: found.etag, lastModified: found.lastModified };
    }
  }

  read(key: string): Readable {
    return Readable.from(this.chunks(key));
  }

  private async *chunks(key: string): AsyncIterable<Buffer> {
    await this.before?.('read', key);
    const found = this.objects.get(key);
    if (!found) throw new Error(`no object ${key}`);
    yield found.body;
  }

  async readAll(key: string): Promise<Buffer> {
    await this.before?.('readAll', key);
    const found = this.objects.get(key);
    if (!found) throw new Error(`no object ${key}`);
    return found.body;
  }

  async write(key: string, body: Buffer | Readable): Promise<void> {
    const bytes = await collect(body);
    await this.before?.('write', key);
    this.put(key, bytes);
  }

  async createIfAbsent(key: string, body: Buffer): Promise<boolean> {
    await this.before?.('createIfAbsent', key);
    if (this.objects.has(key)) return false;
    this.put(key, body);
    return true;
  }

  async readVersion(key: string): Promise<ObjectVersion | undefined> {
    await this.before?.('readVersion', key);
    const found = this.objects.get(key);
    return found ? { body: found.body, etag: found.etag } : undefined;
  }

  async replaceIfMatch(key: string, body: Buffer, etag: string): Promise<boolean> {
    await this.before?.('replaceIfMatch', key);
    if (this.objects.get(key)?.etag !== etag) return false;
    this.put(key, body);
    return true;
  }

  async copy(fromKey: string, toKey: string): Promise<string> {
    await this.before?.('copy', toKey);
    const found = this.objects.get(fromKey);
    if (!found) throw new Error(`no object ${fromKey} to copy`);
    return this.put(toKey, found.body);
  }

  async delete(key: string): Promise<void> {
    await this.before?.('delete', key);
    this.objects.delete(key);
  }
}
