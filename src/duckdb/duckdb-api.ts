/**
 * DuckDB's Node API, required rather than imported. The package is CommonJS spread over ~90
 * files: imported from ES modules, Node scans every one of them for its exports first, which
 * takes far longer than require() (docs/performance.md). Types still come from `import type`.
 */
import { createRequire } from 'node:module';

export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
