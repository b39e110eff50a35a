/**
 * The process-task stage: read one task's objects, split lines, decode, route rows to each
 * entity's part writer, quarantine the rest. Every output goes to the task's own folder, so a
 * task processed twice (a retry, a message delivered twice) rewrites the same files. Runs in a
 * worker thread, or on the calling thread when a run asks for no workers (the tests do, so
 * coverage sees it).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entity, FieldSpans, RowValue } from '../events/entity.js';
import type { EntityRegistry } from '../events/entity-registry.js';
import type { LakeFormat, PartWriter, WrittenFile } from '../formats/lake-format.js';
import type { ObjectStore } from '../storage/object-store.js';
import { gunzipIntact, gunzipObject } from './gzip-reader.js';
import { taskScratch } from './lake-layout.js';
import { decodeLine } from './line-decoder.js';
import { endsLine, isBlankLine, LineSplitter } from './line-splitter.js';
import { QuarantineWriter } from './quarantine-writer.js';
import { isObjectFailure } from './read-failure.js';
import { DEFAULT_READ_LIMITS, type ReadLimits } from './read-limits.js';
import type { SourceObjectRef, Task, TaskOutput, TaskProgress, TaskSettings } from './run-manifest.js';
import { parseSourceObjectName } from './source-object-name.js';

const PREFETCH_AHEAD = 8;
/**
 * Objects up to this size are read into buffers reused from object to object, one per object
 * in flight (fresh memory per object costs page faults: see LocalObjectStore's readInto).
 */
const REUSED_READ_BYTES = 1024 * 1024;
const PROGRESS_EVERY_MS = 100;

/** A small object read whole, or the error that stopped the read. */
type ObjectBytes = { readonly bytes: Buffer } | { readonly error: Error };

export interface TaskProcessorDeps {
  readonly store: ObjectStore;
  readonly registry: EntityRegistry;
  readonly format: LakeFormat;
  /** Where reading whole stops and streaming starts; the defaults unless a test lowers them. */
  readonly limits?: Partial<ReadLimits>;
}

/** An entity with a fast path, and what the current task has of it (reset by process()). */
interface Scanner {
  readonly entity: Entity;
  readonly scan: NonNullable<Entity['scanLine']>;
  /** Held here, not looked up by name for every row. */
  writer: PartWriter | undefined;
  rows: number;
}

export class TaskProcessor {
  private readonly store: ObjectStore;
  private readonly registry: EntityRegistry;
  private readonly format: LakeFormat;
  private readonly limits: ReadLimits;
  /** Entities with a fast path, tried in registry order. */
  private readonly scanners: Scanner[];
  private readonly spans: FieldSpans;
  // The current task's state, set up afresh by process().
  private writers = new Map<string, PartWriter>();
  private events: Record<string, number> = {};
  private quarantine!: QuarantineWriter;
  private taskDir = '';
  private objectKeys: string[] = [];
  private rows = 0;
  private unreported = { objects: 0, events: 0 };
  private reportedAt = 0;
  /** Read buffers, used in turn: object i of a task goes to buffer i mod their number. */
  private readonly readBuffers: Buffer[] = [];

  /** `scratchDir` is the run's scratch space on this machine; each task writes below it. */
  constructor(
    private readonly settings: TaskSettings,
    private readonly scratchDir: string,
    deps: TaskProcessorDeps,
  ) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.format = deps.format;
    this.limits = { ...DEFAULT_READ_LIMITS, ...deps.limits };
    this.scanners = this.registry.entities.flatMap((entity) => (entity.scanLine ? [{ entity, scan: entity.scanLine, writer: undefined, rows: 0 }] : []));
    this.spans = new Int32Array(2 * Math.max(0, ...this.registry.entities.map((e) => e.columns.length)));
  }

  async process(task: Task, onProgress: (p: TaskProgress) => void): Promise<TaskOutput> {
    this.taskDir = join(this.scratchDir, taskScratch(task.id));
    await rm(this.taskDir, { recursive: true, force: true });
    this.writers = new Map();
    for (const scanner of this.scanners) {
      scanner.writer = undefined;
      scanner.rows = 0;
    }
    this.events = {};
    this.rows = 0;
    this.quarantine = new QuarantineWriter(this.taskDir, 'quarantine.jsonl');
    // Rows of Avro name their object; a task knows only its own objects' keys.
    this.objectKeys = [];
    for (const object of task.objects) this.objectKeys[object.index] = object.key;
    try {
      await this.readObjects(task.objects, onProgress);
    } catch (err) {
      // The task fails; its files are rewritten when it runs again. Close them, keep the error.
      this.quarantine.close();
      for (const writer of this.writers.values()) await writer.close().catch(() => undefined);
      throw err;
    }
    // Rows per entity in registry order, whichever path read them.
    const events: Record<string, number> = {};
    for (const entity of this.registry.entities) {
      const rows = (this.events[entity.name] ?? 0) + (this.scanners.find((s) => s.entity === entity)?.rows ?? 0);
      if (rows > 0) events[entity.name] = rows;
    }
    const tables: Record<string, WrittenFile[]> = {};
    for (const [name, writer] of this.writers) tables[name] = await writer.close();
    const count = this.quarantine.count;
    const file = this.quarantine.close();
    return {
      taskId: task.id,
      objects: task.objects.length,
      events,
      tables,
      quarantine: file === undefined ? undefined : { path: file, rows: count },
    };
  }

  private async readObjects(objects: readonly SourceObjectRef[], onProgress: (p: TaskProgress) => void): Promise<void> {
    // Small objects are read a few ahead, so waiting for storage overlaps with parsing.
    const pending = new Map<number, Promise<ObjectBytes>>();
    const prefetch = (i: number): void => {
      const object = objects[i];
      if (object && object.size <= this.limits.wholeObjectBytes) {
        // Object i's buffer is free again: objects are prefetched at most PREFETCH_AHEAD
        // ahead, there is one buffer more than that, and nothing keeps an object's bytes
        // once it is processed (the writers copy what they keep).
        const into = object.size <= REUSED_READ_BYTES ? this.readBuffer(i) : undefined;
        pending.set(
          i,
          this.store.readAll(object.key, into).then(
            (bytes): ObjectBytes => ({ bytes }),
            (error: Error): ObjectBytes => ({ error }),
          ),
        );
      }
    };
    for (let i = 0; i < PREFETCH_AHEAD; i++) prefetch(i);
    for (const [i, object] of objects.entries()) {
      const prefetched = pending.get(i);
      pending.delete(i);
      prefetch(i + PREFETCH_AHEAD);
      this.unreported.events += await this.readObject(object, prefetched);
      for (const writer of this.writers.values()) await writer.drained();
      this.unreported.objects++;
      // Progress crosses threads as a message: a few per second are enough for a bar.
      const now = performance.now();
      if (now - this.reportedAt >= PROGRESS_EVERY_MS || i === objects.length - 1) {
        onProgress(this.unreported);
        this.unreported = { objects: 0, events: 0 };
        this.reportedAt = now;
      }
    }
  }

  private readBuffer(objectIndex: number): Buffer {
    const slot = objectIndex % (PREFETCH_AHEAD + 1);
    return (this.readBuffers[slot] ??= Buffer.allocUnsafeSlow(REUSED_READ_BYTES));
  }

  private writerFor(entity: Entity): PartWriter {
    let writer = this.writers.get(entity.name);
    if (!writer) {
      writer = this.format.createPartWriter({
        entity,
        dir: this.taskDir,
        objectKeys: this.objectKeys,
        codec: this.settings.codec,
      });
      this.writers.set(entity.name, writer);
    }
    return writer;
  }

  /** Reads one object; returns how many rows it produced. */
  private async readObject(object: SourceObjectRef, prefetched: Promise<ObjectBytes> | undefined): Promise<number> {
    const { key, index } = object;
    const quarantine = this.quarantine;
    const before = this.rows;
    const splitter = new LineSplitter(
      {
        line: (lineNumber, buf, start, end) => this.line(key, index, lineNumber, buf, start, end),
        unreadable: (lineNumber, reason, preview, bytes) => quarantine.add(key, lineNumber, reason, preview, bytes),
        takeLine: (lineNumber, buf, start, limit) => this.takeLine(index, lineNumber, buf, start, limit),
      },
      this.settings.maxLineBytes,
    );
    const gzip = parseSourceObjectName(key)?.gzip ?? false;
    const whole = prefetched ? await prefetched : undefined;
    if (whole && 'error' in whole) {
      if (!isObjectFailure(whole.error)) throw whole.error;
      splitter.abandon(whole.error.message);
      return 0;
    }
    // A whole object in one piece: plain, or gzip that inflates intact in one call.
    const plain = whole && gzip ? gunzipIntact(whole.bytes, this.limits.oneCallInflateBytes) : whole?.bytes;
    if (plain) {
      splitter.push(plain);
      splitter.end();
      return this.rows - before;
    }
    // A .gz object yields its data, then says whether it is damaged (a bad CRC, trailing garbage).
    const chunks: AsyncIterator<Buffer, string | undefined> = gzip
      ? gunzipObject(whole ? [whole.bytes] : this.store.read(key))
      : this.store.read(key)[Symbol.asyncIterator]();
    // Only the object's own failure is quarantined (read-failure.ts): one of the storage is tried
    // again, and one of the sink (a part writer, a bug) must fail the run, not pass for a damaged object.
    try {
      for (;;) {
        let next: IteratorResult<Buffer, string | undefined>;
        try {
          next = await chunks.next();
        } catch (err) {
          // A truncated gzip or a vanished object: the lines read so far stay, the rest is reported.
          if (!isObjectFailure(err)) throw err;
          splitter.abandon((err as Error).message);
          break;
        }
        if (next.done === true) {
          splitter.end();
          if (next.value !== undefined) splitter.damaged(next.value);
          break;
        }
        splitter.push(next.value);
      }
    } finally {
      await chunks.return?.(); // stops the read when the sink failed
    }
    return this.rows - before;
  }

  /** A line the entities' byte-level fast paths recognise whole from its start: its end, or -1. */
  private takeLine(objectIndex: number, lineNumber: number, buf: Buffer, start: number, limit: number): number {
    for (const scanner of this.scanners) {
      const end = scanner.scan(buf, start, limit, this.spans);
      if (end >= 0 && endsLine(buf, end, limit)) {
        this.writeScanned(scanner, buf, objectIndex, lineNumber);
        return end;
      }
    }
    return -1;
  }

  /** A row the fast path read: its spans are in this.spans. */
  private writeScanned(scanner: Scanner, buf: Buffer, objectIndex: number, lineNumber: number): void {
    (scanner.writer ??= this.writerFor(scanner.entity)).writeSpans(buf, this.spans, objectIndex, lineNumber);
    scanner.rows++;
    this.rows++;
  }

  /** One line: the entities' byte-level fast paths first, then JSON.parse and full checks. */
  private line(key: string, objectIndex: number, lineNumber: number, buf: Buffer, start: number, end: number): void {
    for (const scanner of this.scanners) {
      if (scanner.scan(buf, start, end, this.spans) === end) {
        this.writeScanned(scanner, buf, objectIndex, lineNumber);
        return;
      }
    }
    const text = buf.toString('utf8', start, end);
    const decoded = decodeLine(text, this.registry);
    if ('error' in decoded) {
      if (isBlankLine(buf, start, end)) return; // spaces, tabs and CRs only: skipped, not bad
      this.quarantine.add(key, lineNumber, decoded.error, text);
      return;
    }
    this.writerFor(decoded.entity).write(decoded.row as readonly RowValue[], objectIndex, lineNumber);
    this.count(decoded.entity);
  }

  private count(entity: Entity): void {
    this.events[entity.name] = (this.events[entity.name] ?? 0) + 1;
    this.rows++;
  }
}
