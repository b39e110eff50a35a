/**
 * A lake on an S3 bucket: publishing by copies and a per-hour manifest, leases as conditional
 * writes, all through the object-store port. A run's scratch space stays on this machine: part
 * files are written locally and uploaded when published.
 */
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScratch, writeProbeKey } from '../../pipeline/lake-layout.js';
import type { LakeStorage } from '../lake-storage.js';
import type { ObjectStore } from '../object-store.js';
import { openObjectStore } from '../object-store-registry.js';
import { s3ServerKey } from './s3-client.js';
import { mirrorDir, mirrorLake } from './s3-lake-mirror.js';
import { S3PartitionLease } from './s3-partition-lease.js';
import { S3Publisher } from './s3-publisher.js';

export class S3LakeStorage implements LakeStorage {
  readonly publisher: S3Publisher;
  readonly lease: S3PartitionLease;
  /** Where this lake's runs keep their scratch on this machine. */
  private readonly scratchRoot: string;

  /** Opens the bucket's store, unless one is given (tests pass a double). */
  static async open(bucket: string, prefix: string, store?: ObjectStore): Promise<S3LakeStorage> {
    return new S3LakeStorage(bucket, prefix, store ?? (await openObjectStore({ kind: 's3', bucket, prefix })));
  }

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly store: ObjectStore,
  ) {
    // One folder per lake (server, bucket and prefix: two servers may each have a bucket of that
    // name), named so that a resumed run on this machine finds its done tasks again.
    const lake = createHash('sha1').update(`${s3ServerKey()}/${bucket}/${prefix}`).digest('hex').slice(0, 12);
    this.scratchRoot = join(tmpdir(), 'eventlake-scratch', bucket, lake);
    this.publisher = new S3Publisher(store, { scratchRoot: this.scratchRoot });
    this.lease = new S3PartitionLease(store);
  }

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  /** Writes and deletes a small object; the store's errors already name what to fix. */
  async assertWritable(): Promise<void> {
    const key = writeProbeKey(randomUUID());
    await this.store.write(key, Buffer.from('eventlake write probe\n'));
    await this.store.delete(key);
  }

  scratchDir(runId: string): string {
    return join(this.scratchRoot, runScratch(runId));
  }

  locate(key: string): string {
    return `${this.location}${key}`;
  }

  async readableFolder(stateDir: string): Promise<string> {
    return (await mirrorLake(this.store, stateDir, mirrorDir(stateDir, this.bucket, this.prefix))).dir;
  }
}
