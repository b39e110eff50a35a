/** `eventlake lambda invoke --event <file.json>`: the cloud worker's handler, run here. */
import { Command } from 'commander';
import { parseLocation } from '../storage/location.js';
import { openDebugLog, printResult, type GlobalOptions } from './cli-context.js';
import { loadSettings } from './settings.js';
import { lakeOption, sourceOption } from './shared-options.js';

function describeResponse(response: unknown): string {
  const failures = (response as { batchItemFailures?: { itemIdentifier: string }[] }).batchItemFailures;
  if (failures === undefined) return JSON.stringify(response, null, 2);
  if (failures.length === 0) return 'every record succeeded';
  return `${failures.length} record${failures.length === 1 ? '' : 's'} failed and would be retried: ${failures.map((f) => f.itemIdentifier).join(', ')} (the debug log says why)`;
}

export function lambdaCommand(global: () => GlobalOptions): Command {
  const lambda = new Command('lambda').description('the cloud worker (AWS Lambda) run locally, for debugging');
  lambda
    .command('invoke')
    .description('run the Lambda handler in this process on an event file: an SQS event of task messages, or {"eventlake":"fanout","hour":…}')
    .requiredOption('--event <file>', 'the event, as JSON')
    // What the function's environment configures in the cloud (EVENTLAKE_SOURCE_PATH, EVENTLAKE_LAKE_PATH); a message names only ids.
    .addOption(sourceOption())
    .addOption(lakeOption())
    .action(async (opts: { event: string; source?: string; lake?: string }) => {
      const { target } = await loadSettings(global(), { ...(opts.source ? { source: opts.source } : {}), ...(opts.lake ? { lake: opts.lake } : {}) });
      const deployment = { source: parseLocation(target.source, '--source'), lake: parseLocation(target.lake, '--lake') };
      const log = openDebugLog(global().state);
      // Loaded here, not at start-up: the handler brings Powertools and the stages no other command needs from it.
      const { invokeLambdaLocally } = await import('../app/invoke-lambda.js');
      const response = await invokeLambdaLocally(opts.event, log, deployment);
      printResult(global(), response, () => describeResponse(response));
      const failures = (response as { batchItemFailures?: unknown[] }).batchItemFailures;
      if (failures !== undefined && failures.length > 0) process.exitCode = 1;
    });
  return lambda;
}
