/** What a run needs of the lake it writes: its publisher and its leases, and where to work. */
import type { PartitionLease } from './partition-lease.js';
import type { Publisher } from './publisher.js';

export interface LakeStorage {
  /** A description for messages: the folder, or `s3://bucket/prefix`. */
  readonly location: string;
  readonly publisher: Publisher;
  readonly lease: PartitionLease;
  /** Fails with one clear sentence when the lake cannot be written. */
  assertWritable(): Promise<void>;
  /** The run's scratch space on this machine (near the lake, so publishing can move files cheaply). */
  scratchDir(runId: string): string;
  /** How to show a file's key to a person: its path for a folder, its URL for a bucket. */
  locate(key: string): string;
  /**
   * A folder on this machine holding the lake's published hours, as the embedded warehouse reads
   * them (DuckDB reads local files: its S3 extension would be a download at run time): the lake
   * itself for a folder; for a bucket, a mirror kept in `stateDir`, brought up to date first.
   */
  readableFolder(stateDir: string): Promise<string>;
}
