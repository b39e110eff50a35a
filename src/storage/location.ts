/**
 * Turns what a person types where a folder goes (`--source`, `--lake`) into a store
 * configuration: `s3://bucket/prefix` or `s3://bucket/` for a bucket, anything else a folder.
 */
import { resolve } from 'node:path';
import { UserError } from '../errors/user-error.js';
import type { ObjectStoreConfig } from './object-store-config.js';

const S3_SCHEME = 's3://';
// S3's bucket naming rules, loosely: lowercase letters, digits, dots and hyphens, 3 to 63.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Location(text: string): boolean {
  return text.toLowerCase().startsWith(S3_SCHEME);
}

/** `what` names the flag or key for the error, e.g. `--lake`. */
export function parseLocation(text: string, what: string): ObjectStoreConfig {
  if (!isS3Location(text)) return { kind: 'local', root: resolve(text) };
  const rest = text.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket)) {
    throw new UserError(`${what} ${text} does not name a bucket; write s3://bucket/ or s3://bucket/prefix`);
  }
  let prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (prefix.split('/').some((part, i, all) => part === '' ? i < all.length - 1 : part === '.' || part === '..')) {
    throw new UserError(`${what} ${text} has an empty, '.' or '..' part in its prefix`);
  }
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  return { kind: 's3', bucket, prefix };
}

/** The configuration as a person writes it. */
export function formatLocation(config: ObjectStoreConfig): string {
  return config.kind === 'local' ? config.root : `${S3_SCHEME}${config.bucket}/${config.prefix}`;
}
