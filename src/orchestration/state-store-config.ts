/** Which state store keeps eventlake's runs, queue and events; plain data, chosen by configuration. */
export type StateStoreConfig = { readonly kind: 'sqlite'; readonly dir: string };
