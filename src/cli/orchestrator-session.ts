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
import { announce } from './announce.js';
import type { Settings } from './settings.js';

export interface SessionOptions<T> {
  /** Check source and lake before the state is opened: the first problem named is the user's input. */
  readonly checkTarget?: boolean;
  /** Prints the result as soon as the work is done, before callbacks owed are delivered. */
  readonly report?: (result: T) => void;
  /** The command only reads the state: a state that does not exist fails, naming it, and nothing is made. */
  readonly readOnly?: boolean;
  /** What the command itself would leave undone on stopping at once (beyond runs and callbacks). */
  readonly unfinished?: () => readonly string[];
}

/** How long a stop may take after the first Ctrl-C before what is left is abandoned, as a second Ctrl-C would. */
export const STOP_DEADLINE_MS = 30_000;

export async function withOrchestrator<T>(
  settings: Settings,
  global: GlobalOptions,
  work: (orchestrator: Orchestrator) => Promise<T>,
  options: SessionOptions<T> = {},
): Promise<T> {
  let orchestrator: Orchestrator | undefined;
  let signals = 0;
  const quit = (why: string): never => {
    const left = [...(orchestrator?.unfinished() ?? []), ...(options.unfinished?.() ?? [])];
    process.stderr.write(`eventlake: ${why}: exiting now${left.length > 0 ? `; left unfinished: ${left.join('; ')}` : '; nothing was left unfinished'}\n`);
    process.exit(130);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) quit(`${signal} again`);
    if (global.json) announce(global, { event: 'stopping', signal }, '');
    else process.stderr.write(`\neventlake: ${signal}: stopping; tasks in flight finish, the rest stays queued (again to quit at once)\n`);
    // Whatever the stop waits for (tasks, callbacks, a warehouse build) gets this long, then is left as a second Ctrl-C leaves it.
    setTimeout(() => quit(`still stopping ${STOP_DEADLINE_MS / 1000} s after ${signal}`), STOP_DEADLINE_MS).unref();
    orchestrator?.stop();
  };
  try {
    return await session();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  async function session(): Promise<T> {
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
    const opened = await Orchestrator.open(settings.orchestrator, hooks, { create: !options.readOnly });
    orchestrator = opened;
    // Until now Ctrl-C ends the process at once, as it does any program: nothing is started yet, and
    // a state kept locked by another process (a synchronous busy wait) cannot hold it up.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const log = openDebugLog(settings.orchestrator.state);
    // The state lost under this process (its file deleted or replaced, its disk full): stop, and say that, not what failed next.
    let lost: Error | undefined;
    opened.state.onFailure((err) => {
      lost = err;
      log.error({ err }, 'state lost');
      opened.stop();
    });
    try {
      let result: T;
      try {
        result = await work(opened);
      } catch (err) {
        throw lost ?? err;
      }
      if (lost) throw lost;
      options.report?.(result);
      return result;
    } finally {
      // Signals still stop the wait for callback deliveries cleanly.
      const { deliveriesLeft } = await opened.close();
      if (deliveriesLeft > 0) {
        log.warn({ deliveriesLeft }, 'callback deliveries left to the next process');
        if (!global.json) process.stderr.write(`eventlake: ${deliveriesLeft} callback deliver${deliveriesLeft === 1 ? 'y was' : 'ies were'} still under way: the next eventlake process on this state makes ${deliveriesLeft === 1 ? 'it' : 'them'}\n`);
      }
    }
  }
}
