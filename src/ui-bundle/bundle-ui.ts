/**
 * Bundles the web UI (src/ui) into `dist/ui/`: one flat folder the server serves by file name —
 * `index.html`, the script and stylesheet it names, and the icon. Everything the page needs is in
 * there (Preact, Chart.js, the CSS), so it works with no internet. Run by `npm run build` after tsc
 * has checked src/ui with its own tsconfig (esbuild strips types without checking them).
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The files copied as they are, beside the bundle. */
const STATIC_FILES = ['index.html', 'favicon.svg'];

export interface UiBundle {
  readonly dir: string;
  /** File name → bytes. */
  readonly files: Record<string, number>;
}

/** The folder of eventlake's package.json above this file (it runs from src/ or from dist/src/). */
function repositoryRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'eventlake') return dir;
    if (dirname(dir) === dir) throw new Error(`no eventlake package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

export async function bundleUi(root = repositoryRoot(), outDir = join(root, 'dist', 'ui')): Promise<UiBundle> {
  const sourceDir = join(root, 'src', 'ui');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    // The stylesheet is imported by main.tsx, so esbuild writes app.css beside app.js.
    entryPoints: { app: join(sourceDir, 'main.tsx') },
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Icons or fonts referenced from CSS would need a loader: none are, and none may come from the internet.
    loader: { '.svg': 'empty' },
    logLevel: 'silent',
    absWorkingDir: root,
  });
  for (const name of STATIC_FILES) await copyFile(join(sourceDir, name), join(outDir, name));
  return { dir: outDir, files: await checkFlatAndComplete(outDir) };
}

/** The server serves only files directly in dist/ui: no subfolder, and every file index.html names is there. */
async function checkFlatAndComplete(outDir: string): Promise<Record<string, number>> {
  const entries = await readdir(outDir, { withFileTypes: true });
  const folder = entries.find((e) => !e.isFile());
  if (folder) throw new Error(`dist/ui must be one flat folder, but the bundle wrote ${folder.name}/`);
  const files: Record<string, number> = {};
  for (const entry of entries) files[entry.name] = (await readFile(join(outDir, entry.name))).byteLength;
  const html = await readFile(join(outDir, 'index.html'), 'utf8');
  for (const [, name] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    if (name === undefined || /^[a-z]+:|^\/\//i.test(name)) throw new Error(`index.html must name only bundled files, not ${name ?? 'nothing'}`);
    if (!(name in files)) throw new Error(`index.html names ${name}, which the bundle did not write`);
  }
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  try {
    const { dir, files } = await bundleUi();
    const listed = Object.entries(files).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`).join(', ');
    console.log(`bundled the web UI into ${relative(process.cwd(), dir) || '.'} (${listed}) in ${Date.now() - started} ms`);
  } catch (err) {
    const details = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const first = details?.[0];
    console.error(first ? `could not bundle the web UI: ${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : `could not bundle the web UI: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
