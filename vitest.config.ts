import { defineConfig } from 'vitest/config';

/**
 * Four tiers, each a vitest project (`npm run test:unit`, `test:component`, `test:e2e`,
 * `test:browser`); `npm test` runs them all, two files at a time on this 2-core machine.
 * - unit: pure in-process code, injected clocks; no build, no DuckDB, no servers.
 * - component: DuckDB, worker threads, s3rver on loopback, CDK synth, the program and run engine in-process.
 * - e2e: the built CLI as processes: a smoke test per command, long-running `up`/`serve`, kill -9.
 * - browser: Debian's chromium driven by playwright-core against a real `eventlake serve`.
 */
export default defineConfig({
  test: {
    // vitest's default is one file at a time here (cores − 1); the tests are safe two at a time.
    maxWorkers: 2,
    // Every `up`, `serve` and `demo` a test starts serves its web UI on a free port, not on 8080.
    env: { EVENTLAKE_SERVER_PORT: '0' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'coverage/test-results.json' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', testTimeout: 10_000 } },
      // Worker threads and the built CLI run built modules: build first when a source is newer.
      { extends: true, test: { name: 'component', include: ['test/component/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
