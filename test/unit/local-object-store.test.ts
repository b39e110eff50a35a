import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StorageLocationError } from '../../src/storage/errors.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { tempDir, writeObject } from '../helpers/fixtures.js';

async function collect(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  return text;
}

describe('LocalObjectStore', () => {
  it('lists recursively by prefix with sizes, and reads as a stream or whole', async () => {
    const root = await tempDir();
    await writeObject(root, 'a/b/one.json', 'one');
    await writeObject(root, 'a/two.json', 'two!');
    await writeObject(root, 'c/three.json', '3');
    const store = new LocalObjectStore(root);
    const all = [];
    for await (const info of store.list()) all.push({ key: info.key, size: info.size });
    expect(all.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a/b/one.json', size: 3 },
      { key: 'a/two.json', size: 4 },
      { key: 'c/three.json', size: 1 },
    ]);
    const underA = [];
    for await (const info of store.list('a')) underA.push(info.key);
    expect(underA.sort()).toEqual(['a/b/one.json', 'a/two.json']);
    const none = [];
    for await (const info of store.list('missing')) none.push(info);
    expect(none).toEqual([]);
    expect(await collect(store.read('a/two.json'))).toBe('two!');
    expect((await store.readAll('a/b/one.json')).toString()).toBe('one');
  });

  it('reads a whole object into a buffer it is given when it fits, else into a new one, and fails as readFileSync does', async () => {
    const root = await tempDir();
    await writeObject(root, 'small.json', 'small');
    await writeObject(root, 'empty.json', '');
    await writeObject(root, 'big.json', 'x'.repeat(100));
    const store = new LocalObjectStore(root);
    const into = Buffer.alloc(16, 0x2a);
    const small = await store.readAll('small.json', into);
    expect(small.toString()).toBe('small');
    expect(small.buffer).toBe(into.buffer); // a view of the buffer given: no new memory
    expect(into.subarray(5).every((b) => b === 0x2a)).toBe(true); // nothing past the object touched
    expect((await store.readAll('empty.json', into)).length).toBe(0);
    const big = await store.readAll('big.json', into);
    expect(big.toString()).toBe('x'.repeat(100));
    expect(big.buffer).not.toBe(into.buffer);
    // The same failures as without a buffer, so a missing object is quarantined the same way.
    const missing = await store.readAll('gone.json', into).catch((err: NodeJS.ErrnoException) => err);
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
    const folder = await store.readAll('', into).catch((err: NodeJS.ErrnoException) => err);
    expect((folder as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('writes atomically (no temporary file left) from a buffer or a stream, and deletes', async () => {
    const root = await tempDir();
    const store = new LocalObjectStore(root);
    await store.write('x/y/z.txt', Buffer.from('buffer'));
    await store.write('x/stream.txt', Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    expect((await store.readAll('x/y/z.txt')).toString()).toBe('buffer');
    expect((await store.readAll('x/stream.txt')).toString()).toBe('stream');
    expect((await readdir(join(root, 'x'))).sort()).toEqual(['stream.txt', 'y']);
    await store.delete('x/stream.txt');
    await store.delete('x/never-there.txt');
    expect(existsSync(join(root, 'x/stream.txt'))).toBe(false);
  });

  it('leaves no partial object when a stream fails', async () => {
    const root = await tempDir();
    const store = new LocalObjectStore(root);
    const failing = new Readable({
      read() {
        this.destroy(new Error('network gone'));
      },
    });
    await expect(store.write('bad.txt', failing)).rejects.toThrow('network gone');
    expect(await readdir(root)).toEqual([]);
  });

  it('names a missing or non-folder root', async () => {
    const root = await tempDir();
    await writeObject(root, 'file', 'x');
    await expect(new LocalObjectStore(join(root, 'nope')).assertReadable()).rejects.toThrow(StorageLocationError);
    await expect(new LocalObjectStore(join(root, 'file')).assertReadable()).rejects.toThrow(`source ${join(root, 'file')} is not a folder`);
  });

  it('passes over a file that vanishes while the folder is listed (a producer\'s temporary file)', async () => {
    const root = await tempDir();
    for (const name of ['a.json', 'b.json', 'c.json']) await writeObject(root, name, name);
    const store = new LocalObjectStore(root);
    const keys: string[] = [];
    for await (const info of store.list()) {
      keys.push(info.key);
      if (info.key === 'a.json') await rm(join(root, 'b.json'));
    }
    expect(keys).toEqual(['a.json', 'c.json']);
  });

  it('reads an object with its etag, replaces it only while the etag matches, and copies it', async () => {
    const root = await tempDir();
    const store = new LocalObjectStore(root);
    expect(await store.readVersion('none.json')).toBeUndefined();
    await store.write('a/one.json', Buffer.from('one'));
    const first = await store.readVersion('a/one.json');
    expect(first?.body.toString()).toBe('one');
    expect(await store.replaceIfMatch('a/one.json', Buffer.from('two'), first?.etag ?? '')).toBe(true);
    expect(await store.replaceIfMatch('a/one.json', Buffer.from('three'), first?.etag ?? '')).toBe(false);
    expect((await store.readAll('a/one.json')).toString()).toBe('two');
    expect(await store.replaceIfMatch('gone.json', Buffer.from('x'), first?.etag ?? '')).toBe(false);
    const etag = await store.copy('a/one.json', 'b/copy.json');
    expect((await store.readVersion('b/copy.json'))?.etag).toBe(etag);
    expect((await store.readAll('b/copy.json')).toString()).toBe('two');
  });
});
