/** How to reach an object store; plain data so it can cross into worker threads and queues. */
export type ObjectStoreConfig = { readonly kind: 'local'; readonly root: string };

export type ObjectStoreKind = ObjectStoreConfig['kind'];
