/** How to reach an object store; plain data so it can cross into worker threads. */
export type ObjectStoreConfig = { readonly kind: 'local'; readonly root: string };
