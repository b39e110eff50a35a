/** The object-store port on a local folder: the embedded default. */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { StorageLocationError } from './errors.js';

export class LocalObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  /** Fails with one clear sentence when the root is not a readable folder. */
  async assertReadable(): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (!info) throw new StorageLocationError(`source folder ${this.root} does not exist`);
    if (!info.isDirectory()) throw new StorageLocationError(`source ${this.root} is not a folder`);
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    yield* this.walk(join(this.root, prefix));
  }

  private async *walk(dir: string): AsyncIterable<ObjectInfo> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
      throw err;
    });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(path);
      } else if (entry.isFile()) {
        const { size } = await stat(path);
        yield { key: relative(this.root, path).split(sep).join('/'), size };
      }
    }
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

  async delete(key: string): Promise<void> {
    await rm(join(this.root, key), { force: true });
  }
}
