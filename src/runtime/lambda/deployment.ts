/**
 * The stores a worker may touch: the deployment's source and lake, from the function's own
 * configuration (the config file's environment overrides EVENTLAKE_SOURCE_PATH and
 * EVENTLAKE_LAKE_PATH, which the CDK stack sets), never from a message. In Lambda (the runtime
 * sets AWS_LAMBDA_FUNCTION_NAME) both must be buckets: a folder there is the function's own disk
 * (`/proc/self`, `/var/task`), which no run reads or writes.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { formatLocation, parseLocation } from '../../storage/location.js';
import type { ObjectStoreConfig } from '../../storage/object-store-config.js';

export interface Deployment {
  readonly source: ObjectStoreConfig;
  readonly lake: ObjectStoreConfig;
}

/** True in a Lambda invocation (the runtime sets the function's name); false for `eventlake lambda invoke`. */
export function inLambda(env: NodeJS.ProcessEnv): boolean {
  return (env['AWS_LAMBDA_FUNCTION_NAME'] ?? '') !== '';
}

/** The deployment the function's environment configures (EVENTLAKE_SOURCE_PATH, EVENTLAKE_LAKE_PATH, or a config file). */
export async function deploymentFromEnvironment(env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<Deployment> {
  const { config } = await loadConfig({ cwd, env });
  // A bad bucket name is named by where it came from: the variable when it is set.
  const named = (variable: string, key: string): string => (env[variable] !== undefined ? variable : key);
  return {
    source: parseLocation(config.source.path, named('EVENTLAKE_SOURCE_PATH', 'source.path')),
    lake: parseLocation(config.lake.path, named('EVENTLAKE_LAKE_PATH', 'lake.path')),
  };
}

/** Refuses a folder as source or lake in Lambda; one sentence naming the store and how to fix it. */
export function checkDeployment(deployment: Deployment, lambda: boolean): void {
  if (!lambda) return;
  for (const [what, store, variable] of [
    ['source', deployment.source, 'EVENTLAKE_SOURCE_PATH'],
    ['lake', deployment.lake, 'EVENTLAKE_LAKE_PATH'],
  ] as const) {
    if (store.kind !== 's3') {
      throw new Error(`the function's ${what} is the folder ${formatLocation(store)}; in Lambda the ${what} must be a bucket (set ${variable} to s3://bucket/)`);
    }
  }
}

/** Whether `store` is the deployment's `own` store: the same kind and bucket (any prefix of it), or the same folder or one inside it. */
export function isDeploymentStore(store: ObjectStoreConfig, own: ObjectStoreConfig): boolean {
  if (store.kind === 's3') return own.kind === 's3' && store.bucket === own.bucket;
  if (own.kind !== 'local') return false;
  const inside = relative(resolve(own.root), resolve(store.root));
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}
