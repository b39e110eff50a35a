/** Where the warehouse's model files are: `src/warehouse/models/` of the installed package. */
import { join } from 'node:path';
import { packageRoot } from '../config/package-root.js';

export function modelsDir(): string {
  return join(packageRoot(), 'src', 'warehouse', 'models');
}
