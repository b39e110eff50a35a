/** The object-store port on a local folder: the embedded default. */
import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ListOptions, ObjectInfo, ObjectStore } from '../object-store.js';
import { StorageLocationError } from '../errors.js';
import { createExclusive } from './create-exclusive.js';

/** A folder entry as bytes: names that are not UTF-8 cannot become keys. */
type RawEntry = Dirent<Buffer>;

export class LocalObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

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
    const found = await stat(join(this.root, key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new StorageLocationError(`cannot read ${join(this.root, key)} (${err.code ?? err.message})`);
    });
    if (!found) return undefined;
    const { size, mtime, mtimeMs, ino } = found;
    return { key, size, etag: `${ino.toString(16)}-${size.toString(16)}-${Math.trunc(mtimeMs * 1000).toString(16)}`, lastModified: mtime };
  }

  read(key: string): Readable {
    return createReadStream(join(this.root, key), { highWaterMark: 256 * 1024 });
  }

  readAll(key: string): Promise<Buffer> {
    return readFile(join(this.root, key));
  }

  async write(key: string, body: Buffer | Readable): Promise<void> {
    const path = join(this.root, key);
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
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    return createExclusive(path, body);
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.root, key), { force: true });
  }
}
