/**
 * End-to-end tests run the built CLI, worker threads run built modules and the browser tests the
 * bundled UI: build first whenever any source is newer than its build output, so no test ever
 * runs a stale build (`npm test` builds anyway; `npm run test:e2e` alone may not have).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The browser UI (src/ui) is bundled by `npm run build`, not compiled by tsc into dist/src. */
const BROWSER_UI = join('src', 'ui');

function newest(dir: string, ext: string, pick: (a: number, b: number) => number, start: number): number {
  let result = start;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.parentPath === BROWSER_UI || entry.parentPath.startsWith(`${BROWSER_UI}/`)) continue;
    if (entry.isFile() && entry.name.endsWith(ext)) result = pick(result, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return result;
}

export default function setup(): void {
  const sources = Math.max(newest('src', '.ts', Math.max, 0), newest('bench', '.ts', Math.max, 0));
  let built: number;
  try {
    built = newest('dist/src', '.js', Math.min, Number.POSITIVE_INFINITY);
  } catch {
    built = 0;
  }
  const sourceCount = readdirSync('src', { recursive: true }).filter((f) => String(f).endsWith('.ts') && !String(f).endsWith('.d.ts') && !String(f).startsWith('ui/')).length;
  const builtCount = (() => {
    try {
      return readdirSync('dist/src', { recursive: true }).filter((f) => String(f).endsWith('.js')).length;
    } catch {
      return 0;
    }
  })();
  if (built < sources || builtCount < sourceCount) {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  }
  const ui = (() => {
    try {
      return statSync(join('dist', 'ui', 'index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const uiSources = Math.max(newestUnder(BROWSER_UI), statSync(join('src', 'ui-bundle', 'bundle-ui.ts')).mtimeMs);
  if (ui < uiSources) execFileSync(process.execPath, [join('dist', 'src', 'ui-bundle', 'bundle-ui.js')], { stdio: 'inherit' });
}

/** The newest file under `dir`, whatever its extension. */
function newestUnder(dir: string): number {
  let result = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) result = Math.max(result, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return result;
}
