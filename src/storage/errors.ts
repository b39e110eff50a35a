/** Errors of the storage adapters, phrased for the person who has to fix them. */
import { UserError } from '../errors/user-error.js';

export class StorageLocationError extends UserError {
  override readonly name = 'StorageLocationError';
}
