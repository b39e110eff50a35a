/**
 * The built web UI (`dist/ui/`, made by `npm run build`): every file of that one flat folder is
 * read once at start and served by its exact name; no request path ever reaches the filesystem.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from '../config/package-root.js';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export function uiAssetsDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

/** Name → asset; empty when the UI was not built (the API still answers). */
export function loadUiAssets(dir = uiAssetsDir()): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    assets.set(name, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return assets;
}
