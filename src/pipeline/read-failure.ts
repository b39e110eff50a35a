/**
 * Whether a failed read of a source object is the object's own doing or the storage's. The
 * object's own (gzip data cut short or corrupt, the object deleted since it was listed) is
 * quarantined with the lines read so far: reading it again gives the same. The storage's (the
 * network, a permission, throttling past the SDK's retries, a disk error) fails the task, so the
 * queue tries it again: quarantining it would lose the object's lines for a passing fault.
 */
import { ObjectGoneError } from '../storage/errors.js';
import { UNEXPECTED_END } from './gzip-reader.js';

export function isObjectFailure(err: unknown): boolean {
  if (err instanceof ObjectGoneError) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return true; // a local object deleted since it was listed
  if (typeof code === 'string' && code.startsWith('Z_')) return true; // zlib: corrupt deflate data
  return err instanceof Error && err.message === UNEXPECTED_END && code === undefined;
}
