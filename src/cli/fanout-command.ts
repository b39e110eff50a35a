/** `eventlake fanout`: one hour's tasks onto the SQS queue the Lambda workers read. Parsing and printing only. */
import { Command, Option } from 'commander';
import type { FanOutReport } from '../app/fan-out-hour.js';
import { runRequest } from '../app/orchestrator.js';
import type { Hour } from '../pipeline/hour.js';
import { openDebugLog, printResult, type GlobalOptions } from './cli-context.js';
import { formatBytes, formatCount } from './format-figures.js';
import { loadSettings, type TargetFlags } from './settings.js';
import { hourOption, targetOptions } from './shared-options.js';

export const QUEUE_URL_ENV = 'EVENTLAKE_QUEUE_URL';

interface FanoutOptions extends TargetFlags {
  readonly hour: Hour;
  readonly queueUrl: string;
  readonly replace?: boolean;
}

export function describeFanOut(report: FanOutReport, queueUrl: string): string {
  const skipped = report.skipped > 0 ? `, ${formatCount(report.skipped)} skipped for their names` : '';
  const calls = `${report.calls} call${report.calls === 1 ? '' : 's'}`;
  return `hour ${report.hour}: ${formatCount(report.objects)} objects (${formatBytes(report.bytes)}${skipped}) sent as ${formatCount(report.tasks)} task${report.tasks === 1 ? '' : 's'} in ${calls} to ${queueUrl} (run ${report.runId})`;
}

export function fanoutCommand(global: () => GlobalOptions): Command {
  const command = new Command('fanout').description('plan one hour and send its tasks to an SQS queue for the Lambda workers; the run is recorded in the lake');
  // Workers are the queue's consumers here, not threads of this process.
  for (const option of targetOptions()) if (option.long !== '--workers') command.addOption(option);
  command.addOption(hourOption());
  command.addOption(
    new Option('--queue-url <url>', 'the SQS queue the workers read, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/eventlake-tasks')
      .env(QUEUE_URL_ENV)
      .makeOptionMandatory(),
  );
  command.addOption(new Option('--replace', 'end a run of the hour still queued in the lake (its workers stop) and fan out again'));
  return command.action(async (opts: FanoutOptions) => {
    const settings = await loadSettings(global(), opts);
    const request = runRequest(settings.target);
    const log = openDebugLog(global().state);
    // Loaded here, not at start-up: it brings the AWS SDK, which no other command needs.
    const { fanOutToQueue } = await import('../app/fan-out-hour.js');
    const report = await fanOutToQueue(request, opts.hour, {
      queueUrl: opts.queueUrl,
      replace: opts.replace ?? false,
      staleRunAfterMs: settings.config.cloud.staleRunAfterMs,
      queueFrom: command.getOptionValueSource('queueUrl') === 'env' ? QUEUE_URL_ENV : '--queue-url',
      onPlanned: (manifest) => {
        if (manifest.skipped.length > 0) log.info({ runId: manifest.runId, skipped: manifest.skipped }, 'objects skipped for their names');
        if (global().debug) for (const s of manifest.skipped) process.stderr.write(`skipped ${s.key}: ${s.reason}\n`);
      },
    });
    log.info({ ...report, queueUrl: opts.queueUrl }, 'hour fanned out');
    printResult(global(), { ...report, queueUrl: opts.queueUrl }, () => describeFanOut(report, opts.queueUrl));
  });
}
