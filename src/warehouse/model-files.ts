/**
 * Where the warehouse's model files are: `src/warehouse/models/` of the installed package,
 * found from this module whether it runs from the TypeScript sources or from `dist/`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function modelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the eventlake package root (package.json) was not found above the warehouse module');
    dir = parent;
  }
  return join(dir, 'src', 'warehouse', 'models');
}
