/**
 * The CDK app: one stack, synthesized into `outdir`. Kept apart from app.ts (the entry point)
 * so tests synthesize exactly what `npm run synth` and `cdk deploy` do.
 */
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { EventlakeStack } from './eventlake-stack.js';

export const STACK_NAME = 'EventlakeStack';

/** `context` adds to what the CDK CLI passes (CDK_CONTEXT_JSON), as `-c key=value` would. */
export function synthEventlake(outdir: string, context: Record<string, unknown> = {}): CloudAssembly {
  // No AWS::CDK::Metadata resource: the template is the same whether node or the CDK CLI runs this.
  const app = new App({ outdir, analyticsReporting: false, context });
  // `cdk deploy -c workerConcurrency=40` raises the worker's reserved concurrency (20 otherwise).
  const concurrency = app.node.tryGetContext('workerConcurrency') as string | number | undefined;
  if (concurrency !== undefined && !/^\d+$/.test(String(concurrency))) throw new Error(`-c workerConcurrency=${String(concurrency)} is not a whole number of concurrent workers`);
  new EventlakeStack(app, STACK_NAME, { workerConcurrency: concurrency === undefined ? undefined : Number(concurrency) });
  return app.synth();
}
