/**
 * Loads a CommonJS library the first time it is needed, synchronously. `yaml` and
 * `cron-parser` take a noticeable part of start-up to load, and most commands (`run` above
 * all) read no YAML file and no cron expression of their own: they should not pay for them.
 */
import { createRequire } from 'node:module';

const loadCommonJs = createRequire(import.meta.url);

export function cronParser(): typeof import('cron-parser') {
  return loadCommonJs('cron-parser') as typeof import('cron-parser');
}

export function yamlParser(): typeof import('yaml') {
  return loadCommonJs('yaml') as typeof import('yaml');
}
