import { App, Stack } from 'aws-cdk-lib';
import { DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_NAME, synthEventlake } from '../../infra/eventlake-app.js';
import { IMAGE_ASSET_EXCLUDE } from '../../infra/worker-function.js';

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eventlake-synth-'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Every file below `dir`, relative to it, with the total size. */
function walk(dir: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const visit = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) visit(path);
      else {
        files.push(relative(dir, path));
        bytes += statSync(path).size;
      }
    }
  };
  visit(dir);
  return { files: files.sort(), bytes };
}

// No CDK CLI runs here, so nothing needs CDK_DISABLE_VERSION_CHECK or notices turned off:
// App.synth() itself reads no network, runs no Docker and only copies the image's folder.
describe('synthesizing the app (what `node dist/infra/app.js` does)', () => {
  it('writes the template at the top of the output folder and stages a small image context without node_modules', () => {
    const outdir = tempDir();
    const assembly = synthEventlake(outdir);
    const templateFile = join(outdir, `${STACK_NAME}.template.json`);
    expect(existsSync(templateFile)).toBe(true);
    expect(assembly.getStackByName(STACK_NAME).templateFullPath).toBe(templateFile);
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::Lambda::Function')).toBe(true);
    // analyticsReporting off: the same template whether node or the CDK CLI (versionReporting: false) runs the app.
    expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::CDK::Metadata')).toBe(false);

    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const { files, bytes } = walk(join(outdir, assets[0]!));
    expect(files).toContain('Dockerfile');
    expect(files.every((f) => f === 'Dockerfile' || f === 'package.json' || f === 'package-lock.json' || f.startsWith('build/'))).toBe(true);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
    // The first synth loads all of aws-cdk-lib: on a loaded 2-core machine that alone can pass a minute.
  }, 180_000);

  it('passes `-c workerConcurrency=N` context through to the worker, 20 without it, and refuses what is no whole number', () => {
    const outdir = tempDir();
    synthEventlake(outdir, { workerConcurrency: '40' });
    const template = JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties['ReservedConcurrentExecutions']).toBe(40);
    // Without it, the default; a value that is no number is refused naming the key.
    const defaults = JSON.parse(readFileSync(join(synthEventlake(tempDir()).directory, `${STACK_NAME}.template.json`), 'utf8')) as typeof template;
    expect(Object.values(defaults.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties['ReservedConcurrentExecutions']).toBe(20);
    expect(() => synthEventlake(tempDir(), { workerConcurrency: 'lots' })).toThrow('-c workerConcurrency=lots is not a whole number of concurrent workers');
    expect(() => synthEventlake(tempDir(), { workerConcurrency: '2' })).toThrow('the worker concurrency must be at least 3');
  });

  it('keeps everything but the Dockerfile, package.json, package-lock.json and build/ out of the image context', () => {
    const context = tempDir();
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(context, 'package.json'), '{}\n');
    writeFileSync(join(context, 'package-lock.json'), '{}\n');
    writeFileSync(join(context, '.gitignore'), 'package-lock.json\n');
    writeFileSync(join(context, 'README.md'), 'notes\n');
    mkdirSync(join(context, 'build', 'nested'), { recursive: true });
    writeFileSync(join(context, 'build', 'index.mjs'), 'export const handler = () => {};\n');
    writeFileSync(join(context, 'build', 'nested', 'chunk.mjs'), '\n');
    mkdirSync(join(context, 'node_modules', 'left-over'), { recursive: true });
    writeFileSync(join(context, 'node_modules', 'left-over', 'index.js'), 'x'.repeat(1024));

    const outdir = tempDir();
    const app = new App({ outdir, analyticsReporting: false });
    new DockerImageFunction(new Stack(app, 'Probe'), 'Fn', { code: DockerImageCode.fromImageAsset(context, { exclude: IMAGE_ASSET_EXCLUDE }) });
    app.synth();
    const asset = readdirSync(outdir).find((name) => name.startsWith('asset.'))!;
    expect(walk(join(outdir, asset)).files).toEqual(['Dockerfile', 'build/index.mjs', 'build/nested/chunk.mjs', 'package-lock.json', 'package.json']);
  });
});
