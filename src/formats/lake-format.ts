/**
 * The lake-format port. A format has two halves:
 * - a part writer, used by each task (in a worker), that receives the task's rows of one entity;
 * - a finisher, run once per entity after every task is done, that turns what the tasks
 *   wrote into the partition's final `part-NNNNN.<ext>` files.
 * Parquet stages typed CSV and lets DuckDB write the Parquet; Avro encodes containers in the
 * tasks and the finisher joins their blocks into files of about the target size.
 */
import type { Entity, FieldSpans, RowValue } from '../events/entity.js';

export type FormatName = 'parquet' | 'avro';


export interface PartWriterOptions {
  readonly entity: Entity;
  /** The task's own folder in the run's scratch space. */
  readonly dir: string;
  /** The task's object keys by their index in the run (a sparse array); rows refer to one by index. */
  readonly objectKeys: readonly string[];
  readonly codec: string;
}

export interface WrittenFile {
  readonly path: string;
  readonly rows: number;
  /** Some double column holds -0 (Parquet staging: its finisher must not merge it with +0). */
  readonly negativeZero?: boolean;
}

export interface PartWriter {
  write(row: readonly RowValue[], objectIndex: number, line: number): void;
  /** The fast path: a row given as byte spans of a source line (see FieldSpans). */
  writeSpans(buf: Buffer, spans: FieldSpans, objectIndex: number, line: number): void;
  /** Resolves once buffered rows have drained to storage; called between source objects. */
  drained(): Promise<void>;
  /** Flushes and closes; returns the files written (none when no row came). */
  close(): Promise<WrittenFile[]>;
}

export interface FinishOptions {
  readonly entity: Entity;
  /** The files every task's part writer returned for this entity, in source order. */
  readonly written: readonly WrittenFile[];
  /** Where the final part files go (created if missing), in the run's scratch space. */
  readonly partitionDir: string;
  /** Scratch space for the finisher. */
  readonly scratchDir: string;
  readonly codec: string;
  readonly targetFileBytes: number;
}

export interface PartFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface LakeFormat {
  readonly name: FormatName;
  readonly extension: string;
  /** Compression codecs the format writes; the first is the default. */
  readonly codecs: readonly string[];
  createPartWriter(options: PartWriterOptions): PartWriter;
  finish(options: FinishOptions): Promise<PartFile[]>;
  /**
   * Starts loading what `finish` needs (DuckDB for Parquet), so the load happens while tasks
   * run instead of after them. Called on the thread that will finish, never in the workers.
   */
  prepareFinish?(): void;
  /** Rows per minute of a timestamp column over lake files of this format: epoch minute → rows. */
  countPerMinute(paths: readonly string[], column: string): Promise<Map<number, number>>;
}

