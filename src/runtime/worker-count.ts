/** One worker thread per core by default. */
import { cpus } from 'node:os';

export function defaultWorkerCount(): number {
  return Math.max(1, cpus().length);
}
