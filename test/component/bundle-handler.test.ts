import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler, HANDLER_ENTRY } from '../../infra/bundle-handler.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

const made: string[] = [];
/** An output folder outside the repository that still resolves packages from its node_modules, as build/ inside it does. */
function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eventlake-bundle-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const lockedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version;

describe('bundling the Lambda handler', () => {
  it('bundles the real handler entry by default', () => {
    expect(HANDLER_ENTRY).toBe('src/runtime/lambda/lambda-handler.ts');
  });

  it('writes one ESM file whose `handler` runs with the native package kept external and CommonJS packages able to require', async () => {
    const dir = outDir();
    const result = await bundleHandler({ entry: 'test/infra/fixtures/handler-fixture.ts', outDir: dir });
    expect(result.file).toBe(join(dir, 'build', 'index.mjs'));
    const code = readFileSync(result.file, 'utf8');
    expect(code).toMatch(/^import { createRequire as __eventlakeCreateRequire } from 'node:module';/);
    expect(code).toContain('from "@duckdb/node-api"');
    // Pure JavaScript packages are inside the bundle, not imported at run time.
    expect(code).not.toMatch(/from "(zod|avsc)"/);
    expect(result.bytes).toBeGreaterThan(0);

    const bundle = (await import(pathToFileURL(result.file).href)) as { handler: (event: unknown) => Promise<unknown> };
    await expect(bundle.handler({ eventlake: 'fanout' })).resolves.toEqual({ sum: 42, avro: 7, parsed: 'fanout' });
  });

  it('lists only the unbundlable packages in the image\'s package.json, at the lockfile\'s exact versions', async () => {
    const dir = outDir();
    const result = await bundleHandler({ entry: 'test/infra/fixtures/handler-fixture.ts', outDir: dir });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; private: boolean };
    expect(manifest.private).toBe(true);
    expect(manifest.dependencies).toEqual({ '@duckdb/node-api': lockedVersion('@duckdb/node-api') });
    expect(result.dependencies).toEqual(manifest.dependencies);
    // Its lockfile, for npm ci: the package, what it needs, nothing of the bundle's or the repository's own.
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['']).toEqual({ name: 'eventlake-lambda', dependencies: manifest.dependencies });
    expect(lock.packages['node_modules/@duckdb/node-api']!.version).toBe(lockedVersion('@duckdb/node-api'));
    expect(Object.keys(lock.packages).filter((path) => /node_modules\/(zod|avsc|snowflake-sdk|better-sqlite3)$/.test(path))).toEqual([]);
  });

  it('refuses a handler that reaches better-sqlite3, naming the importer', async () => {
    await expect(bundleHandler({ entry: 'test/infra/fixtures/sqlite-handler-fixture.ts', outDir: outDir() })).rejects.toThrow(
      'the Lambda handler reaches better-sqlite3 (imported by test/infra/fixtures/sqlite-handler-fixture.ts); the worker must not load it',
    );
  });

  it('keeps snowflake-sdk, reached through a dynamic import, out of the bundle and in the image\'s package.json at the lockfile\'s version', async () => {
    const dir = outDir();
    const result = await bundleHandler({ entry: 'test/infra/fixtures/snowflake-handler-fixture.ts', outDir: dir });
    const code = readFileSync(result.file, 'utf8');
    expect(code).toContain('import("snowflake-sdk")');
    // None of the driver's own code is inside.
    expect(code).not.toContain('SNOWFLAKE_JWT');
    expect(result.dependencies).toEqual({ 'snowflake-sdk': lockedVersion('snowflake-sdk') });
    expect((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: unknown }).dependencies).toEqual(result.dependencies);
    // The import resolves at run time, as it does in the image where npm installed it.
    const bundle = (await import(pathToFileURL(result.file).href)) as { handler: () => Promise<string> };
    await expect(bundle.handler()).resolves.toBe('function');
  });

  it('bundles the real handler with only DuckDB and snowflake-sdk left for the image to install', async () => {
    const result = await bundleHandler({ outDir: outDir() });
    expect(Object.keys(result.dependencies).sort()).toEqual(['@duckdb/node-api', 'snowflake-sdk']);
    expect(result.dependencies['snowflake-sdk']).toBe(lockedVersion('snowflake-sdk'));
  });
});
