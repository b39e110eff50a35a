/** Which runtime processes tasks; plain data, chosen by configuration. */
export type TaskExecutorConfig = { readonly kind: 'local'; readonly workers: number };
