/** Which run store keeps the state folder's run records; plain data, chosen by configuration. */
export type RunStoreConfig = { readonly kind: 'json'; readonly dir: string };
