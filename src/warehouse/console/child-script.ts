/**
 * A child process runs compiled JavaScript: when this code runs from TypeScript sources (under
 * the test runner), point at the build output of the same module instead (the test setup builds
 * first). The same rule as runtime/local/compiled-script.ts, which an adapter folder may not import.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function childScript(url: URL): string {
  const path = fileURLToPath(url);
  if (!path.endsWith('.ts') && existsSync(path)) return path;
  // The last `src` folder of the path is the package's: a checkout may itself sit under a `src`.
  const compiled = path.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$1src$2').replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`console script ${compiled} is missing: run "npm run build" first`);
  return compiled;
}
