/**
 * Opens the orchestrator for a command and closes it whatever happens; the first Ctrl-C (or
 * SIGTERM) stops it cleanly (work in flight finishes, the rest goes back to the queue for the
 * next process), a second one exits at once.
 */
import type { Recovered } from '../storage/publisher.js';
import { Orchestrator } from '../app/orchestrator.js';
import { checkTarget } from '../app/run-hour.js';
import type { GlobalOptions } from './cli-context.js';
import { openDebugLog } from './cli-context.js';
import type { Settings } from './settings.js';

export interface SessionOptions<T> {
  /** Check source and lake before the state is opened: the first problem named is the user's input. */
  readonly checkTarget?: boolean;
  /** Prints the result as soon as the work is done, before callbacks owed are delivered. */
  readonly report?: (result: T) => void;
  /** The command only reads the state: a state that does not exist fails, naming it, and nothing is made. */
  readonly readOnly?: boolean;
}

export async function withOrchestrator<T>(
  settings: Settings,
  global: GlobalOptions,
  work: (orchestrator: Orchestrator) => Promise<T>,
  options: SessionOptions<T> = {},
): Promise<T> {
  if (options.checkTarget) await checkTarget(settings.target, settings.orchestrator.state);
  // The state opens first: a read-only command on a missing state makes nothing, not even the log folder.
  const hooks = {
    onError: (err: Error) => log.warn({ err }, 'orchestration error'),
    onRetry: (runId: string, what: string, attempt: number, at: Date, error: string) => {
      log.info({ runId, what, attempt, at, error }, 'retry');
      if (!global.json) {
        const wait = Math.max(0, Math.round((at.getTime() - Date.now()) / 1000));
        process.stderr.write(`eventlake: ${what === 'run' ? '' : `${what} of `}run ${runId} failed (attempt ${attempt}): ${error}; trying again in ${wait} s\n`);
      }
    },
    // What a dead run left in an hour is worth a line: a rolled-back publish means the hour is run again.
    onRecovered: (hour: string, recovered: Recovered) => {
      log.warn({ hour, runId: recovered.runId, outcome: recovered.outcome }, recovered.message);
      if (!global.json) process.stderr.write(`eventlake: ${recovered.message}\n`);
    },
  };
  const orchestrator = await Orchestrator.open(settings.orchestrator, hooks, { create: !options.readOnly });
  const log = openDebugLog(settings.orchestrator.state);
  // The state lost under this process (its file deleted or replaced, its disk full): stop, and say that, not what failed next.
  let lost: Error | undefined;
  orchestrator.state.onFailure((err) => {
    lost = err;
    log.error({ err }, 'state lost');
    orchestrator.stop();
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(130);
    if (!global.json) process.stderr.write(`\neventlake: ${signal}: stopping; tasks in flight finish, the rest stays queued (again to quit at once)\n`);
    orchestrator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let result: T;
    try {
      result = await work(orchestrator);
    } catch (err) {
      throw lost ?? err;
    }
    if (lost) throw lost;
    options.report?.(result);
    return result;
  } finally {
    // Signals still stop the wait for callback deliveries cleanly.
    await orchestrator.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
