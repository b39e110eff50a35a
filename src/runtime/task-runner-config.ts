/** Which runtime processes an hour's tasks; plain data, chosen by configuration. */
export type TaskRunnerConfig = { readonly kind: 'local'; readonly workers: number };
