/** The object-store port on a local folder: the embedded default. */
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readFileSync, readSync, statSync, type Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ListOptions, ObjectInfo, ObjectStore, ObjectVersion } from '../object-store.js';
import { StorageLocationError } from '../errors.js';
import { createExclusive } from './create-exclusive.js';

/** Inode, size and mtime: changes whenever a write (a rename over the file) does. */
function localEtag(info: Stats): string {
  return `${info.ino.toString(16)}-${info.size.toString(16)}-${Math.trunc(info.mtimeMs * 1000).toString(16)}`;
}

/** A folder entry as bytes: names that are not UTF-8 cannot become keys. */
type RawEntry = Dirent<Buffer>;

export class LocalObjectStore implements ObjectStore {
  /** The root with one trailing separator: a key's path is this plus the key. */
  private readonly rootPrefix: string;

  constructor(readonly root: string) {
    this.rootPrefix = root.endsWith(sep) ? root : `${root}${sep}`;
  }

  /**
   * A key's file. Keys are relative paths, so plain concatenation names the same file that
   * join() would (the OS resolves `.`, `..` and doubled separators the same way), without its
   * normalising pass, which would run once for every object listed and every object read.
   */
  private pathOf(key: string): string {
    return this.rootPrefix + key;
  }

  get location(): string {
    return this.root;
  }

  async assertReadable(): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (!info) throw new StorageLocationError(`source folder ${this.root} does not exist`);
    if (!info.isDirectory()) throw new StorageLocationError(`source ${this.root} is not a folder`);
  }

  /**
   * Walks only the folders that can hold keys with the prefix, so a prefix such as
   * `2019/06/01/15/` or `2019-06-01-15-` reads one folder, not the whole tree.
   */
  async *list(prefix = '', options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash + 1);
    yield* this.walk(dirKey, prefix, options);
  }

  private async *walk(dirKey: string, prefix: string, options: ListOptions): AsyncIterable<ObjectInfo> {
    const dir = dirKey === '' ? this.root : join(this.root, dirKey.slice(0, -1));
    let entries: RawEntry[];
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new StorageLocationError(`cannot read folder ${dir} (${code ?? (err as Error).message})`);
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      if (!isUtf8(entry.name)) {
        const shown = `${dirKey}${entry.name.toString('utf8')}`;
        if (shown.startsWith(prefix)) options.onSkipped?.({ key: shown, reason: 'name is not valid UTF-8' });
        continue;
      }
      const key = `${dirKey}${entry.name.toString('utf8')}`;
      if (entry.isDirectory()) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(sub, prefix, options);
      } else if (key.startsWith(prefix)) {
        if (entry.isFile()) {
          const info = await this.info(key);
          if (info) yield info; // gone since the folder was read: a producer's temporary file, say
        } else options.onSkipped?.({ key, reason: entry.isSymbolicLink() ? 'a symbolic link, not a file' : 'not a regular file' });
      }
    }
  }

  private async info(key: string): Promise<ObjectInfo | undefined> {
    // In place, as readAll: one awaited trip through the thread pool per object made listing
    // an hour's thousands of objects most of the plan stage, on the run's critical path.
    let found: Stats | undefined;
    try {
      found = statSync(this.pathOf(key));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new StorageLocationError(`cannot read ${this.pathOf(key)} (${code ?? (err as Error).message})`);
    }
    const { size, mtime } = found;
    return { key, size, etag: localEtag(found), lastModified: mtime };
  }

  async readVersion(key: string): Promise<ObjectVersion | undefined> {
    const path = this.pathOf(key);
    // A write replaces the file by rename: opened once, the bytes and the stat are of one version.
    const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!handle) return undefined;
    try {
      const [body, info] = [await handle.readFile(), await handle.stat()];
      return { body, etag: localEtag(info) };
    } finally {
      await handle.close();
    }
  }

  /**
   * Compares, then renames: not atomic between processes, unlike S3's If-Match. The local lake
   * does not use it (its lease is a file created exclusively); it is here for the port's sake.
   */
  async replaceIfMatch(key: string, body: Buffer, etag: string): Promise<boolean> {
    const current = await this.info(key);
    if (current?.etag !== etag) return false;
    await this.write(key, body);
    return true;
  }

  async copy(fromKey: string, toKey: string): Promise<string> {
    const to = this.pathOf(toKey);
    await mkdir(dirname(to), { recursive: true });
    const temp = `${to}.${randomUUID()}.tmp`;
    await copyFile(this.pathOf(fromKey), temp);
    await rename(temp, to);
    const info = await this.info(toKey);
    return info?.etag ?? '';
  }

  read(key: string): Readable {
    return createReadStream(this.pathOf(key), { highWaterMark: 256 * 1024 });
  }

  async readAll(key: string, into?: Buffer): Promise<Buffer> {
    // Read in place: on a local disk this is a copy out of the page cache, while through Node's
    // thread pool each object took four queued hops (open, stat, read, close) shared with
    // DuckDB and the other worker, which cost more CPU (docs/performance.md).
    const path = this.pathOf(key);
    return into ? readInto(path, into) : readFileSync(path);
  }

  async write(key: string, body: Buffer | Readable): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write beside the target, then rename: a reader sees the old object or the new one.
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      if (Buffer.isBuffer(body)) await writeFile(temp, body);
      else await pipeline(body, createWriteStream(temp));
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async createIfAbsent(key: string, body: Buffer): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    return createExclusive(path, body);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/**
 * Reads a whole file into `into` when it fits, else into a new buffer; answers the bytes read.
 * A fresh buffer per object costs page faults on memory never touched before: reused buffers
 * make an hour's reads much cheaper (docs/performance.md).
 */
function readInto(path: string, into: Buffer): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const target = size <= into.length ? into : Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, target, read, size - read, read);
      if (n === 0) break; // the file shrank since its size was taken: what is there
      read += n;
    }
    return target.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
