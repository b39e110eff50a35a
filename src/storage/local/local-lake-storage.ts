/** A lake in a local folder: rename-based publishing, lease files beside the partitions. */
import { join } from 'node:path';
import { runScratch } from '../../pipeline/lake-layout.js';
import type { LakeStorage } from '../lake-storage.js';
import { ensureWritableFolder } from '../writable-folder.js';
import { LocalPartitionLease } from './local-partition-lease.js';
import { LocalPublisher } from './local-publisher.js';

export class LocalLakeStorage implements LakeStorage {
  readonly publisher: LocalPublisher;
  readonly lease: LocalPartitionLease;

  constructor(readonly root: string) {
    this.publisher = new LocalPublisher(root);
    this.lease = new LocalPartitionLease(root);
  }

  get location(): string {
    return this.root;
  }

  assertWritable(): Promise<void> {
    return ensureWritableFolder(this.root, 'lake folder');
  }

  scratchDir(runId: string): string {
    return join(this.root, runScratch(runId));
  }

  locate(key: string): string {
    return join(this.root, key);
  }

  async readableFolder(): Promise<string> {
    return this.root;
  }
}
