/**
 * Only a failure to read a source object becomes quarantine; a failure to write or transform
 * what was read (a full disk, a bug) fails the run instead of passing for a damaged object.
 * Each case runs on an object read whole and on one streamed, with the read limits lowered so
 * small objects take the streamed path (the store records which read it was asked for).
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ObjectGoneError, StorageLocationError } from '../../src/storage/errors.js';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../src/events/entity.js';
import { defaultRegistry, EntityRegistry } from '../../src/events/entity-registry.js';
import { parquetFormat } from '../../src/formats/parquet/parquet-format.js';
import type { LakeFormat } from '../../src/formats/lake-format.js';
import { gunzipIntact } from '../../src/pipeline/gzip-reader.js';
import { READ_WHOLE_TEST_VARIABLE, readLimitsFromEnv, type ReadLimits } from '../../src/pipeline/read-limits.js';
import type { SourceObjectRef, TaskOutput, TaskSettings } from '../../src/pipeline/run-manifest.js';
import { TaskProcessor } from '../../src/pipeline/task-processor.js';
import { MAX_LINE_BYTES } from '../../src/pipeline/line-splitter.js';
import type { QuarantineRecord } from '../../src/pipeline/quarantine-writer.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { tempDir, writeObject } from '../helpers/fixtures.js';

const at = '2019-06-01T18:23:57.196Z';
const vehicleLine = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org-id' });
const boomLine = (id: string): string => JSON.stringify({ event: 'tick', on: 'boom', at, data: { id }, organization_id: 'org-id' });

/** An entity whose transform has a bug. */
const boom: Entity = {
  name: 'boom',
  columns: [{ name: 'id', type: 'string', nullable: false }],
  toRow() {
    throw new Error('a bug in the transform');
  },
};

type Path = 'read whole' | 'streamed';
const CASES: [string, Path][] = [
  ['.json', 'read whole'],
  ['.json', 'streamed'],
  ['.json.gz', 'read whole'],
  ['.json.gz', 'streamed'],
];

interface Setup {
  readonly processor: TaskProcessor;
  readonly workDir: string;
  readonly object: SourceObjectRef;
  readonly path: Path;
  /** How the processor asked the store for the object: whole, or as a stream. */
  readonly reads: Path[];
}

/** `store`, recording each read it is asked for. */
function recording(store: ObjectStore, reads: Path[]): ObjectStore {
  return Object.create(store, {
    read: { value: (key: string) => (reads.push('streamed'), store.read(key)) },
    readAll: { value: (key: string, into?: Buffer) => (reads.push('read whole'), store.readAll(key, into)) },
  }) as ObjectStore;
}

/** Parquet staging whose writer fails as a full or broken disk would. */
const failingFormat: LakeFormat = {
  ...parquetFormat,
  createPartWriter: () => ({
    write: () => {
      throw new Error('ENOSPC: no space left on device, write vehicle.csv');
    },
    writeSpans: () => {
      throw new Error('ENOSPC: no space left on device, write vehicle.csv');
    },
    drained: () => Promise.resolve(),
    close: () => Promise.resolve([]),
  }),
};

/**
 * A processor over one object, `content` gzipped for a .gz name unless given as bytes. Streamed,
 * its read-whole limit is one byte short of the object; read whole, the limits are the defaults
 * unless `limits` says otherwise.
 */
async function setUp(
  content: string | Buffer,
  extension: string,
  path: Path,
  registry: EntityRegistry,
  options: { store?: ObjectStore; format?: LakeFormat; limits?: Partial<ReadLimits> } = {},
): Promise<Setup> {
  const source = await tempDir();
  const workDir = await tempDir();
  const key = `2019-06-01-15-0-1-events${extension}`;
  const bytes = typeof content !== 'string' ? content : extension.endsWith('.gz') ? gzipSync(content) : Buffer.from(content);
  await writeObject(source, key, bytes);
  const settings: TaskSettings = {
    runId: '2019-06-01T15-test',
    source: { kind: 'local', root: source },
    format: 'parquet',
    codec: 'zstd',
    maxLineBytes: MAX_LINE_BYTES,
    targetFileBytes: 128 * 1024 * 1024,
  };
  const reads: Path[] = [];
  const processor = new TaskProcessor(settings, workDir, {
    store: recording(options.store ?? new LocalObjectStore(source), reads),
    registry,
    format: options.format ?? parquetFormat,
    limits: path === 'streamed' ? { ...options.limits, wholeObjectBytes: bytes.length - 1 } : options.limits,
  });
  return { processor, workDir, object: { index: 0, key, size: bytes.length }, path, reads };
}

/** Processes the one object, which must have been read the way the setup says. */
async function runOne(setup: Setup): Promise<TaskOutput> {
  const { processor, object } = setup;
  try {
    return await processor.process({ id: 't00000', objects: [object], bytes: object.size }, () => {});
  } finally {
    expect(setup.reads).toEqual([setup.path]);
  }
}

async function quarantined(result: TaskOutput): Promise<QuarantineRecord[]> {
  if (result.quarantine === undefined) return [];
  const text = await readFile(result.quarantine.path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QuarantineRecord);
}

describe('TaskProcessor failures', () => {
  it.each(CASES)('a transform error on a %s object %s fails the run', async (extension, path) => {
    const content = `${vehicleLine('v1')}\n${boomLine('b1')}\n${vehicleLine('v2')}\n`;
    const setup = await setUp(content, extension, path, new EntityRegistry([...defaultRegistry().entities, boom]));
    await expect(runOne(setup)).rejects.toThrow('a bug in the transform');
  });

  it.each(CASES)('a part writer error on a %s object %s fails the run', async (extension, path) => {
    const setup = await setUp(`${vehicleLine('v1')}\n`, extension, path, defaultRegistry(), { format: failingFormat });
    await expect(runOne(setup)).rejects.toThrow(/no space left on device/);
  });

  it.each(['read whole', 'streamed'] as Path[])('a truncated .gz object %s is still quarantined, keeping the lines before', async (path) => {
    const full = gzipSync(Array.from({ length: 3000 }, (_, i) => vehicleLine(`v${i}`)).join('\n'));
    const setup = await setUp(full.subarray(0, full.length >> 1), '.json.gz', path, defaultRegistry());
    const result = await runOne(setup);
    const bad = await quarantined(result);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.reason).toMatch(/^object could not be read to the end \(unexpected end of file\)/);
    expect(result.events['vehicle']).toBe((bad[0]?.source_line ?? 0) - 1);
    expect(result.events['vehicle']).toBeGreaterThan(100);
  });

  it.each(['read whole', 'streamed'] as Path[])('a .gz object %s with a bad CRC keeps every line and records the damage', async (path) => {
    const gz = gzipSync(Array.from({ length: 3000 }, (_, i) => vehicleLine(`v${i}`)).join('\n'));
    gz[gz.length - 8] = (gz[gz.length - 8] as number) ^ 0xff;
    const setup = await setUp(gz, '.json.gz', path, defaultRegistry());
    const result = await runOne(setup);
    expect(result.events).toEqual({ vehicle: 3000 });
    expect((await quarantined(result)).map((q) => [q.source_line, q.reason])).toEqual([[3001, 'object is damaged: gzip CRC mismatch']]);
  });

  /** A store whose object stream gives `lines`, then fails with `failure`. */
  function failingStore(lines: string, failure: Error): ObjectStore {
    return {
      location: 'failing',
      list: () => Readable.from([]),
      read: () =>
        new Readable({
          read() {
            this.push(Buffer.from(lines));
            this.destroy(failure);
          },
        }),
      readAll: () => Promise.reject(new Error('not used')),
      assertReadable: () => Promise.resolve(),
      createIfAbsent: () => Promise.reject(new Error('not used')),
      write: () => Promise.reject(new Error('not used')),
      delete: () => Promise.reject(new Error('not used')),
      readVersion: () => Promise.reject(new Error('not used')),
      replaceIfMatch: () => Promise.reject(new Error('not used')),
      copy: () => Promise.reject(new Error('not used')),
    };
  }

  const partial = `${vehicleLine('v1')}\n${vehicleLine('v2')}\n{"event":"upd`;

  it('an object gone mid-read (deleted since it was listed) is quarantined, keeping the lines before', async () => {
    const setup = await setUp(partial, '.json', 'streamed', defaultRegistry(), { store: failingStore(partial, new ObjectGoneError('s3://b/k does not exist')) });
    const result = await runOne(setup);
    expect(result.events).toEqual({ vehicle: 2 });
    expect((await quarantined(result)).map((q) => [q.source_line, q.reason, q.raw])).toEqual([
      [3, 'object could not be read to the end (s3://b/k does not exist); this line is incomplete', '{"event":"upd'],
    ]);
  });

  it('a storage failure mid-read (the network, a permission) fails the task, to be tried again, rather than costing the object its lines', async () => {
    const setup = await setUp(partial, '.json', 'streamed', defaultRegistry(), { store: failingStore(partial, new StorageLocationError('cannot reach S3 at 127.0.0.1:9 (ECONNREFUSED)')) });
    await expect(runOne(setup)).rejects.toThrow('cannot reach S3 at 127.0.0.1:9 (ECONNREFUSED)');
    const reset = await setUp(partial, '.json', 'streamed', defaultRegistry(), { store: failingStore(partial, Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })) });
    await expect(runOne(reset)).rejects.toThrow('ECONNRESET');
  });
});

describe('TaskProcessor line endings', () => {
  const opLine = JSON.stringify({ event: 'create', on: 'operating_period', at, data: { id: 'op1', start: at, finish: at }, organization_id: 'org-id' });
  const lines = [vehicleLine('v1'), vehicleLine('v2'), '', opLine, `${vehicleLine('v3')} `, '{"event":"update"', vehicleLine('v4'), vehicleLine('v5')];

  /** The staged vehicle CSV, the events and the quarantined line numbers of one object. */
  async function staged(content: string, path: Path): Promise<{ csv: string; events: Record<string, number>; bad: number[] }> {
    const result = await runOne(await setUp(content, '.json', path, defaultRegistry()));
    const file = result.tables['vehicle']?.[0]?.path as string;
    return { csv: await readFile(file, 'utf8'), events: result.events, bad: (await quarantined(result)).map((q) => q.source_line) };
  }

  it.each(['read whole', 'streamed'] as Path[])('reads the same rows, numbers and records whatever ends the lines (%s)', async (path) => {
    const plain = await staged(`${lines.join('\n')}\n`, path);
    expect(plain.events).toEqual({ vehicle: 5, operating_period: 1 });
    expect(plain.bad).toEqual([6]);
    expect(plain.csv.split('\n').filter(Boolean).map((row) => row.split(',').at(-1))).toEqual(['1', '2', '5', '7', '8']);
    const variants = {
      crlf: `${lines.join('\r\n')}\r\n`,
      'no final newline': lines.join('\n'),
      'a final CR': `${lines.join('\n')}\r`,
      'a BOM': `\uFEFF${lines.join('\n')}\n`,
      'CRLF and a BOM': `\uFEFF${lines.join('\r\n')}`,
    };
    for (const [name, content] of Object.entries(variants)) expect(await staged(content, path), name).toEqual(plain);
  });
});

describe('TaskProcessor read limits', () => {
  const content = `${Array.from({ length: 3000 }, (_, i) => vehicleLine(`v${i}`)).join('\n')}\n`;

  it('reads an object of exactly the read-whole limit whole, one a byte bigger as a stream', async () => {
    const bytes = Buffer.from(content);
    // Streamed: the setup's limit is one byte short of the object.
    const streamed = await setUp(bytes, '.json', 'streamed', defaultRegistry());
    expect((await runOne(streamed)).events).toEqual({ vehicle: 3000 });
    const whole = await setUp(bytes, '.json', 'read whole', defaultRegistry(), { limits: { wholeObjectBytes: bytes.length } });
    expect((await runOne(whole)).events).toEqual({ vehicle: 3000 });
  });

  it('reads a whole .gz object too big to inflate in one call in pieces, losing nothing', async () => {
    const gz = gzipSync(content);
    const oneCallInflateBytes = 64 * 1024;
    expect(gunzipIntact(gz)).toBeDefined();
    expect(gunzipIntact(gz, oneCallInflateBytes)).toBeUndefined();
    const result = await runOne(await setUp(gz, '.json.gz', 'read whole', defaultRegistry(), { limits: { oneCallInflateBytes } }));
    expect(result.events).toEqual({ vehicle: 3000 });
    expect(await quarantined(result)).toEqual([]);
  });

  it(`lowers the read-whole limit by ${READ_WHOLE_TEST_VARIABLE} for tests, and refuses a value that is not a whole number of bytes up to 8 MiB`, () => {
    expect(readLimitsFromEnv({})).toEqual({});
    expect(readLimitsFromEnv({ [READ_WHOLE_TEST_VARIABLE]: '' })).toEqual({});
    expect(readLimitsFromEnv({ [READ_WHOLE_TEST_VARIABLE]: '65536' })).toEqual({ wholeObjectBytes: 65536 });
    expect(readLimitsFromEnv({ [READ_WHOLE_TEST_VARIABLE]: '0' })).toEqual({ wholeObjectBytes: 0 });
    expect(readLimitsFromEnv({ [READ_WHOLE_TEST_VARIABLE]: String(8 * 1024 * 1024) })).toEqual({ wholeObjectBytes: 8 * 1024 * 1024 });
    for (const bad of ['64k', '-1', '1.5', '1e3', ' 10', '0x10', String(8 * 1024 * 1024 + 1)]) {
      expect(() => readLimitsFromEnv({ [READ_WHOLE_TEST_VARIABLE]: bad }), bad).toThrow(
        `${READ_WHOLE_TEST_VARIABLE} must be a whole number of bytes from 0 to 8388608 (got "${bad}"): it only lowers the read-whole limit, for tests`,
      );
    }
  });
});
