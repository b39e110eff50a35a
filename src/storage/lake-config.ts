/** Where the lake is; plain data, chosen by configuration. */
export type LakeConfig = { readonly kind: 'local'; readonly root: string };
