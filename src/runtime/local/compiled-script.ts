/**
 * Worker threads run compiled JavaScript: when this code runs from TypeScript sources (under
 * the test runner), point at the build output of the same module instead. The test setup
 * builds before any test runs, so that output is never stale.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function compiledScript(url: URL): URL {
  const path = fileURLToPath(url);
  // Built, the script is beside its caller; from sources it is not (callers name it `.js`).
  if (!path.endsWith('.ts') && existsSync(path)) return url;
  // The last `src` folder of the path is the package's: a checkout may itself sit under a `src`.
  const compiled = path.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$1src$2').replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`worker script ${compiled} is missing: run "npm run build" first`);
  return pathToFileURL(compiled);
}
