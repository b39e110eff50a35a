/** Opens the state-store adapter a configuration names, loading it on first use. */
import type { StateStore } from './state-store.js';
import type { StateStoreConfig } from './state-store-config.js';

export async function openStateStore(config: StateStoreConfig): Promise<StateStore> {
  switch (config.kind) {
    case 'sqlite': {
      const { openSqliteStateStore } = await import('./sqlite/sqlite-state-store.js');
      return openSqliteStateStore(config.dir, config.create === undefined ? {} : { create: config.create });
    }
  }
}

/** Fails, naming it, when the configured state does not exist yet (or is damaged); makes nothing. */
export async function requireExistingState(config: StateStoreConfig): Promise<void> {
  (await openStateStore({ ...config, create: false })).close();
}
