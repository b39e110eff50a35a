/** Which state store keeps eventlake's runs, queue and events; plain data, chosen by configuration. */
export type StateStoreConfig = {
  readonly kind: 'sqlite';
  readonly dir: string;
  /** Make the state when there is none (the default); false for commands that only read, which then fail naming it. */
  readonly create?: boolean;
};
