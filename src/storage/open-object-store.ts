/** Chooses the object-store adapter from configuration. */
import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStore } from './object-store.js';
import type { ObjectStoreConfig } from './object-store-config.js';

export function openObjectStore(config: ObjectStoreConfig): ObjectStore {
  switch (config.kind) {
    case 'local':
      return new LocalObjectStore(config.root);
  }
}
