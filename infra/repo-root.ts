/**
 * The repository's root, found from this file's location: the same code runs from `infra/`
 * (tests, through vitest) and from `dist/infra/` (after tsc), so no fixed `..` count fits both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'eventlake') return dir;
    if (dirname(dir) === dir) throw new Error(`no eventlake package.json above ${start}`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The Lambda image's build context: the Dockerfile, the generated package.json and build/. */
export const LAMBDA_IMAGE_DIR = join(REPO_ROOT, 'infra', 'lambda-image');
