/** The stores a Lambda worker may use: its environment's, buckets only in Lambda, and a plan's source checked against them. */
import { describe, expect, it } from 'vitest';
import { checkDeployment, deploymentFromEnvironment, inLambda, isDeploymentStore } from '../../src/runtime/lambda/deployment.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the worker\'s deployment', () => {
  it('takes the buckets the stack sets in EVENTLAKE_SOURCE_PATH and EVENTLAKE_LAKE_PATH as buckets, not as folders under the working directory', async () => {
    const deployment = await deploymentFromEnvironment({ EVENTLAKE_SOURCE_PATH: 's3://events/', EVENTLAKE_LAKE_PATH: 's3://lake/tables' }, await tempDir());
    expect(deployment).toEqual({ source: { kind: 's3', bucket: 'events', prefix: '' }, lake: { kind: 's3', bucket: 'lake', prefix: 'tables/' } });
    expect(() => checkDeployment(deployment, true)).not.toThrow();
  });

  it('in Lambda, refuses a folder as source or lake, naming the variable to set; outside Lambda, folders are fine', async () => {
    const cwd = await tempDir();
    const folders = await deploymentFromEnvironment({ EVENTLAKE_SOURCE_PATH: 's3://events/', EVENTLAKE_LAKE_PATH: 'lake' }, cwd);
    expect(folders.lake).toEqual({ kind: 'local', root: `${cwd}/lake` });
    expect(() => checkDeployment(folders, true)).toThrow(`the function's lake is the folder ${cwd}/lake; in Lambda the lake must be a bucket (set EVENTLAKE_LAKE_PATH to s3://bucket/)`);
    expect(() => checkDeployment(folders, false)).not.toThrow();
    expect(inLambda({ AWS_LAMBDA_FUNCTION_NAME: 'eventlake-worker' })).toBe(true);
    expect(inLambda({})).toBe(false);
  });

  it('a plan\'s store is the deployment\'s when it is the same bucket (any prefix) or the same folder or one inside it', () => {
    const bucket = { kind: 's3', bucket: 'events', prefix: '' } as const;
    expect(isDeploymentStore({ kind: 's3', bucket: 'events', prefix: 'raw/' }, bucket)).toBe(true);
    expect(isDeploymentStore({ kind: 's3', bucket: 'other', prefix: '' }, bucket)).toBe(false);
    expect(isDeploymentStore({ kind: 'local', root: '/proc/self' }, bucket)).toBe(false);
    const folder = { kind: 'local', root: '/data/events' } as const;
    expect(isDeploymentStore({ kind: 'local', root: '/data/events' }, folder)).toBe(true);
    expect(isDeploymentStore({ kind: 'local', root: '/data/events/2019' }, folder)).toBe(true);
    expect(isDeploymentStore({ kind: 'local', root: '/data/events/../../proc/self' }, folder)).toBe(false);
    expect(isDeploymentStore({ kind: 'local', root: '/data/events-other' }, folder)).toBe(false);
    expect(isDeploymentStore(bucket, folder)).toBe(false);
  });
});
