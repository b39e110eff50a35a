/** A run's settings for state-store tests: local folders that are never read. */
import type { RunRequest } from '../../src/orchestration/run-store.js';

export const LOCAL_RUN_REQUEST: RunRequest = {
  source: { kind: 'local', root: '/src' },
  lake: { kind: 'local', root: '/lake' },
  layout: 'any',
  format: 'parquet',
  codec: 'zstd',
  targetFileBytes: 1 << 20,
  maxLineBytes: 1 << 20,
  timezone: 'UTC',
};
