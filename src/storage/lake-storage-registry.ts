/** Opens the lake adapters a configuration names, loading them on first use. */
import type { LakeConfig } from './lake-config.js';
import type { LakeStorage } from './lake-storage.js';

export async function openLakeStorage(config: LakeConfig): Promise<LakeStorage> {
  switch (config.kind) {
    case 'local': {
      const { LocalLakeStorage } = await import('./local/local-lake-storage.js');
      return new LocalLakeStorage(config.root);
    }
    case 's3': {
      const { S3LakeStorage } = await import('./s3/s3-lake-storage.js');
      return S3LakeStorage.open(config.bucket, config.prefix);
    }
  }
}
