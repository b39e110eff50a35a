import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unsupportedNode } from '../../src/cli/node-version.js';

describe('the Node.js versions eventlake runs on', () => {
  it('takes 20.15 and later on 20, 22.2 and later, and refuses the rest in one sentence', () => {
    for (const ok of ['20.15.0', '20.20.2', 'v20.19.1', '22.2.0', '22.12.1', '23.0.0', '24.3.0']) expect(unsupportedNode(ok)).toBeUndefined();
    for (const old of ['18.20.4', '20.14.0', '20.0.0', '21.7.3', '22.1.0']) {
      expect(unsupportedNode(old)).toBe(`needs Node.js 20.15 or later (22.2 or later on 22), not ${old}`);
    }
  });

  it('is what package.json promises in engines', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('^20.15.0 || >=22.2.0');
    expect(unsupportedNode(process.versions.node)).toBeUndefined();
  });
});
