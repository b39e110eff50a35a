/** Worker scripts run from the build: a source path maps to the same module under dist/. */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledScript } from '../../src/runtime/local/compiled-script.js';

describe('compiledScript', () => {
  it('maps the package own src folder to dist/src, even in a checkout under another src folder', () => {
    for (const source of ['/home/me/src/eventlake/src/runtime/local/task-thread.js', '/home/me/src/eventlake/src/runtime/local/task-thread.ts']) {
      expect(() => compiledScript(pathToFileURL(source))).toThrow('worker script /home/me/src/eventlake/dist/src/runtime/local/task-thread.js is missing');
    }
  });

  it('keeps a built script where it is, and finds the built one from the sources', () => {
    const built = new URL('../../dist/src/runtime/local/task-thread.js', import.meta.url);
    expect(compiledScript(built).href).toBe(built.href);
    const fromSources = compiledScript(new URL('../../src/runtime/local/task-thread.js', import.meta.url));
    expect(fileURLToPath(fromSources)).toBe(fileURLToPath(built));
  });
});
