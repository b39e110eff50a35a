/** How to reach an object store; plain data so it can cross into worker threads and queues. */
export type ObjectStoreConfig =
  | { readonly kind: 'local'; readonly root: string }
  /** `prefix` is empty or ends with `/`; endpoint and credentials come from the environment. */
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

export type ObjectStoreKind = ObjectStoreConfig['kind'];
