/** Opens the run-store adapter a configuration names, loading it on first use. */
import type { RunStore } from './run-store.js';
import type { RunStoreConfig } from './run-store-config.js';

export async function openRunStore(config: RunStoreConfig): Promise<RunStore> {
  switch (config.kind) {
    case 'json': {
      const { JsonRunStore } = await import('./json/json-run-store.js');
      return new JsonRunStore(config.dir);
    }
  }
}
