/**
 * The hour's work for one worker: read objects, split lines, decode, route rows to the
 * entity's part writer, quarantine the rest. Runs inside a worker thread, or on the calling
 * thread when a run asks for no workers (the tests do, so coverage sees it).
 */
import { join } from 'node:path';
import type { Entity, FieldSpans, RowValue } from '../events/entity.js';
import type { EntityRegistry } from '../events/entity-registry.js';
import { lakeFormat } from '../formats/lake-formats.js';
import type { LakeFormat, PartWriter, WrittenFile } from '../formats/lake-format.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { HourProgress, HourTask, HourWorkerResult, HourWorkerSetup, SourceObjectRef } from './hour-task.js';
import { gunzipObject } from './gzip-reader.js';
import { decodeLine } from './line-decoder.js';
import { isBlankLine, LineSplitter } from './line-splitter.js';
import { QuarantineWriter } from './quarantine-writer.js';
import { parseSourceObjectName } from './source-object-name.js';

const PREFETCH_AHEAD = 8;
const PREFETCH_MAX_BYTES = 8 * 1024 * 1024;
const PROGRESS_EVERY_MS = 100;

/** A small object read whole, or the error that stopped the read. */
type ObjectBytes = { readonly bytes: Buffer } | { readonly error: Error };

export class HourTaskProcessor {
  private readonly format: LakeFormat;
  private readonly writers = new Map<string, PartWriter>();
  private readonly events: Record<string, number> = {};
  private readonly quarantine: QuarantineWriter;
  /** Entities with a fast path, tried in registry order. */
  private readonly scanners: Entity[];
  private readonly spans: FieldSpans;
  private rows = 0;
  private unreported = { objects: 0, events: 0 };
  private reportedAt = 0;

  constructor(
    private readonly setup: HourWorkerSetup,
    private readonly store: ObjectStore,
    private readonly registry: EntityRegistry,
  ) {
    this.format = lakeFormat(setup.format, setup.workerId);
    this.scanners = registry.entities.filter((e) => e.scanLine !== undefined);
    this.spans = new Int32Array(2 * Math.max(0, ...registry.entities.map((e) => e.columns.length)));
    this.quarantine = new QuarantineWriter(join(setup.workDir, '_quarantine'), `w${setup.workerId}.jsonl`);
  }

  async run(task: HourTask, onProgress: (p: HourProgress) => void): Promise<void> {
    const objects = task.objects;
    // Small objects are read a few ahead, so waiting for storage overlaps with parsing.
    const pending = new Map<number, Promise<ObjectBytes>>();
    const prefetch = (i: number): void => {
      const object = objects[i];
      if (object && object.size <= PREFETCH_MAX_BYTES) {
        pending.set(
          i,
          this.store.readAll(object.key).then(
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

  private writerFor(entity: Entity): PartWriter {
    let writer = this.writers.get(entity.name);
    if (!writer) {
      writer = this.format.createPartWriter({
        entity,
        dir: join(this.setup.workDir, entity.name),
        objectKeys: this.setup.objectKeys,
        codec: this.setup.codec,
        targetFileBytes: this.setup.targetFileBytes,
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
        unreadable: (lineNumber, reason, preview) => quarantine.add(key, lineNumber, reason, preview),
      },
      this.setup.maxLineBytes,
    );
    const gzip = parseSourceObjectName(key)?.gzip ?? false;
    const whole = prefetched ? await prefetched : undefined;
    if (whole && 'error' in whole) {
      splitter.abandon(whole.error.message);
      return 0;
    }
    if (whole && !gzip) {
      splitter.push(whole.bytes);
      splitter.end();
      return this.rows - before;
    }
    // A .gz object yields its data, then says whether it is damaged (a bad CRC, trailing garbage).
    const chunks: AsyncIterator<Buffer, string | undefined> = gzip
      ? gunzipObject(whole ? [whole.bytes] : this.store.read(key))
      : this.store.read(key)[Symbol.asyncIterator]();
    // Only a failure to read the object is quarantined: one of the sink (a part writer, a bug)
    // must fail the run, not pass for a damaged object.
    try {
      for (;;) {
        let next: IteratorResult<Buffer, string | undefined>;
        try {
          next = await chunks.next();
        } catch (err) {
          // A truncated gzip or a vanished object: the lines read so far stay, the rest is reported.
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

  /** One line: the entities' byte-level fast paths first, then JSON.parse and full checks. */
  private line(key: string, objectIndex: number, lineNumber: number, buf: Buffer, start: number, end: number): void {
    for (const entity of this.scanners) {
      if (entity.scanLine?.(buf, start, end, this.spans)) {
        this.writerFor(entity).writeSpans(buf, this.spans, objectIndex, lineNumber);
        this.count(entity);
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

  async finish(): Promise<HourWorkerResult> {
    const written: Record<string, WrittenFile[]> = {};
    for (const [name, writer] of this.writers) written[name] = await writer.close();
    return {
      written,
      events: { ...this.events },
      quarantined: this.quarantine.count,
      quarantineFile: this.quarantine.close(),
    };
  }
}
