/**
 * The worker image's build context as `cdk deploy` hands it to Docker: what the Dockerfile copies
 * is all there (package.json, package-lock.json, build/index.mjs), nothing else is, and the
 * lockfile installs exactly the packages the bundle leaves out, at the repository lockfile's
 * versions and hashes, with no install script to run. No Docker runs here, so the image itself is
 * not built; the context and the Dockerfile's instructions are what is checked.
 */
import { App, Stack } from 'aws-cdk-lib';
import { DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, IMAGE_PACKAGE_NAME } from '../../infra/bundle-handler.js';
import { imageLockfile, resolveInLock, type Lockfile } from '../../infra/image-lockfile.js';
import { LAMBDA_IMAGE_DIR, REPO_ROOT } from '../../infra/repo-root.js';
import { IMAGE_ASSET_EXCLUDE } from '../../infra/worker-function.js';

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eventlake-image-'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const repoLock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
const dockerfile = readFileSync(join(LAMBDA_IMAGE_DIR, 'Dockerfile'), 'utf8');
/** The Dockerfile's instructions, comments and continuations left out. */
const instructions = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

describe('the worker image\'s build context', () => {
  let staged: string;
  let files: string[];

  beforeAll(async () => {
    // The image folder as `npm run build:lambda` leaves it, made in a folder of its own so the
    // bundle other tests import is not rewritten under them.
    const context = tempDir();
    copyFileSync(join(LAMBDA_IMAGE_DIR, 'Dockerfile'), join(context, 'Dockerfile'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(context, 'node_modules'));
    await bundleHandler({ outDir: context });
    // Staged as the stack stages it: the same exclude list, copied into the cloud assembly.
    const outdir = tempDir();
    const app = new App({ outdir, analyticsReporting: false });
    new DockerImageFunction(new Stack(app, 'Probe'), 'Fn', { code: DockerImageCode.fromImageAsset(context, { exclude: IMAGE_ASSET_EXCLUDE }) });
    app.synth();
    staged = join(outdir, readdirSync(outdir).find((name) => name.startsWith('asset.'))!);
    files = readdirSync(staged, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(staged, join(e.parentPath, e.name)))
      .sort();
  }, 120_000);

  it('holds the Dockerfile, package.json, package-lock.json and build/index.mjs, and nothing else (no node_modules)', () => {
    expect(files).toEqual(['Dockerfile', 'build/index.mjs', 'package-lock.json', 'package.json']);
  });

  it('builds from a base image pinned by digest and installs from the lockfile without running install scripts', () => {
    const from = instructions.filter((line) => line.startsWith('FROM '));
    expect(from).toEqual([expect.stringMatching(/^FROM public\.ecr\.aws\/lambda\/nodejs:22@sha256:[0-9a-f]{64}$/)]);
    expect(instructions).toContain('COPY package.json package-lock.json ${LAMBDA_TASK_ROOT}/');
    const install = instructions.filter((line) => /\bnpm (ci|install|i)\b/.test(line));
    expect(install).toEqual([expect.stringMatching(/^RUN cd \$\{LAMBDA_TASK_ROOT\} && npm ci --omit=dev --ignore-scripts /)]);
    // Everything the Dockerfile copies is in the context.
    for (const line of instructions.filter((l) => l.startsWith('COPY '))) {
      for (const source of line.split(/\s+/).slice(1, -1)) expect(files.some((f) => f === source || f.startsWith(source))).toBe(true);
    }
  });

  it('pins in the lockfile exactly the packages left out of the bundle, at the repository lockfile\'s versions and hashes', () => {
    const manifest = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(staged, 'package-lock.json'), 'utf8')) as Lockfile;
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@duckdb/node-api', 'snowflake-sdk']);
    expect(lock.name).toBe(IMAGE_PACKAGE_NAME);
    expect(lock.packages['']).toEqual({ name: IMAGE_PACKAGE_NAME, dependencies: manifest.dependencies });
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      expect(version).toBe(repoLock.packages[`node_modules/${name}`]!.version);
      expect(lock.packages[`node_modules/${name}`]!.version).toBe(version);
    }
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const original = repoLock.packages[path]!;
      expect({ path, version: entry.version, integrity: entry['integrity'] }).toEqual({ path, version: original.version, integrity: original['integrity'] });
      expect(entry['dev'] ?? false).toBe(false);
      // --ignore-scripts holds only while nothing in the image needs a script.
      expect({ path, hasInstallScript: entry.hasInstallScript ?? false }).toEqual({ path, hasInstallScript: false });
      // Every package the tree needs resolves inside it, as npm ci will look for it.
      for (const dependency of Object.keys(entry.dependencies ?? {})) expect({ path, dependency, found: resolveInLock(lock.packages, path, dependency) !== undefined }).toEqual({ path, dependency, found: true });
    }
    // The Lambda's platform gets DuckDB's prebuilt binding; the others are optional and skipped.
    expect(lock.packages['node_modules/@duckdb/node-bindings-linux-x64']).toMatchObject({ optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] });
    expect(lock.packages['node_modules/@duckdb/node-bindings']!['optional']).toBeUndefined();
    expect(lock.packages['node_modules/better-sqlite3']).toBeUndefined();
  });

  it('refuses to cut a lockfile for a version the repository\'s lockfile does not hold, or one without a package it needs', () => {
    expect(() => imageLockfile(repoLock, 'x', { 'snowflake-sdk': '0.0.1' })).toThrow(`the image wants snowflake-sdk@0.0.1 but package-lock.json holds ${repoLock.packages['node_modules/snowflake-sdk']!.version}`);
    const broken: Lockfile = { name: 'r', lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: '1.0.0', dependencies: { b: '^1' } } } };
    expect(() => imageLockfile(broken, 'x', { a: '1.0.0' })).toThrow('package-lock.json has no b for node_modules/a: run npm install to repair it');
  });
});
