/**
 * Locations that overlap would read the lake as source, or publish over the state: refused
 * before anything is recorded, for folders and buckets alike (`run`, `trigger`, `fanout`, …).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../errors/user-error.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { formatLocation } from '../storage/location.js';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';

function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Whether `inner` is `outer` or lies under it. */
function within(inner: ObjectStoreConfig, outer: ObjectStoreConfig): boolean {
  if (inner.kind === 'local' && outer.kind === 'local') return isWithin(inner.root, outer.root);
  if (inner.kind === 's3' && outer.kind === 's3') return inner.bucket === outer.bucket && inner.prefix.startsWith(outer.prefix);
  return false;
}

/** `lake folder /x` or `lake s3://b/p/`. */
function named(noun: string, config: ObjectStoreConfig): string {
  return config.kind === 'local' ? `${noun} folder ${config.root}` : `${noun} ${formatLocation(config)}`;
}

/** `stateDir`: the state folder, which must not be inside a local lake. */
export function checkLocations(source: ObjectStoreConfig, lake: ObjectStoreConfig, layout: SourceLayout, stateDir?: string): void {
  if (within(lake, source) && within(source, lake)) {
    throw new UserError(`the ${named('lake', lake)} is the source${source.kind === 'local' ? ' folder' : ''}; choose another lake`);
  }
  if (layout === 'any' && within(lake, source)) {
    throw new UserError(`the ${named('lake', lake)} is inside the ${named('source', source)}, which --layout any reads whole; move the lake or use --layout flat or nested`);
  }
  if (stateDir !== undefined && lake.kind === 'local') {
    const state = resolve(stateDir);
    if (isWithin(state, lake.root)) throw new UserError(`the state folder ${state} is inside the lake ${lake.root}; keep it outside, publishing replaces lake folders`);
  }
}
