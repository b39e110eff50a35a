/** Where the lake is; plain data, chosen by configuration. */
import type { ObjectStoreConfig } from './object-store-config.js';

export type LakeConfig = ObjectStoreConfig;
