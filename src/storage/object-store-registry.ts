/**
 * Opens the object-store adapter a configuration names. Adapters are loaded on first use, so
 * the core never imports one (an S3 adapter would otherwise pull the AWS SDK into every run).
 */
import type { ObjectStore } from './object-store.js';
import type { ObjectStoreConfig } from './object-store-config.js';

export async function openObjectStore(config: ObjectStoreConfig): Promise<ObjectStore> {
  switch (config.kind) {
    case 'local': {
      const { LocalObjectStore } = await import('./local/local-object-store.js');
      return new LocalObjectStore(config.root);
    }
    case 's3': {
      const { S3ObjectStore } = await import('./s3/s3-object-store.js');
      return new S3ObjectStore(config.bucket, config.prefix);
    }
  }
}
