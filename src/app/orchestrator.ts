/**
 * The orchestration of one process, as the CLI (and later the HTTP API) uses it: the state
 * store, a task executor, the run engine, deadline checks and callback deliveries, opened
 * together from the settings and closed together.
 */
import { defaultRegistry } from '../events/entity-registry.js';
import { checkRunnableHour } from '../orchestration/schedule/runnable-hours.js';
import { HourRunLineage } from '../lineage/hour-run-lineage.js';
import type { FormatName } from '../formats/lake-format.js';
import type { CallbackSubscription } from '../orchestration/callbacks/callback-event.js';
import { CallbackDispatcher } from '../orchestration/callbacks/callback-dispatcher.js';
import { DeadlineWatch, type Deadlines } from '../orchestration/deadline-watch.js';
import { thisProcess } from '../orchestration/process-identity.js';
import { RunEngine, type EngineObserver, type EngineScope } from '../orchestration/run-engine.js';
import { RunEvents } from '../orchestration/run-events.js';
import type { RunRecord, RunRequest, RunTrigger } from '../orchestration/run-store.js';
import type { StateStore } from '../orchestration/state-store.js';
import { openStateStore } from '../orchestration/state-store-registry.js';
import type { RetryPolicy } from '../orchestration/work-queue.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { openTaskExecutor } from '../runtime/task-executor-registry.js';
import { parseLocation } from '../storage/location.js';

/** What a run of an hour reads and writes, before it has a run. */
export interface RunTarget {
  readonly source: string;
  readonly lake: string;
  readonly layout: SourceLayout;
  readonly format: FormatName;
  readonly codec: string;
  readonly targetFileBytes: number;
  readonly maxLineBytes: number;
  readonly timezone: string;
}

export interface OrchestratorSettings {
  readonly state: string;
  /** Worker threads; 0 processes on the calling thread. */
  readonly workers: number;
  readonly retry: RetryPolicy;
  readonly visibilityMs: number;
  readonly maxQuarantinedShare: number;
  readonly callbacks: readonly CallbackSubscription[];
  readonly deadlines: Deadlines;
  /** How often an idle process looks for work other processes queued. */
  readonly pollMs: number;
}

export function runRequest(target: RunTarget): RunRequest {
  return {
    source: parseLocation(target.source, 'source'),
    lake: parseLocation(target.lake, 'lake'),
    layout: target.layout,
    format: target.format,
    codec: target.codec,
    targetFileBytes: target.targetFileBytes,
    maxLineBytes: target.maxLineBytes,
    timezone: target.timezone,
  };
}

/** What every run of this process reports, whoever asked for the work. */
export interface OrchestratorHooks {
  readonly onError?: (err: Error) => void;
  readonly onRetry?: EngineObserver['onRetry'];
  readonly onRecovered?: EngineObserver['onRecovered'];
}

const DEADLINE_CHECK_MS = 1000;

const TERMINAL = new Set(['success', 'failed']);

export class Orchestrator {
  readonly owner = thisProcess;
  private readonly events: RunEvents;
  private readonly deliveries: CallbackDispatcher;
  private readonly deadlines: DeadlineWatch;
  private engine: RunEngine | undefined;
  /** Whether this process worked on runs (so it may owe callbacks); a status query owes none. */
  private worked = false;
  /** OpenLineage events of the runs: waited for before the state closes. */
  private readonly lineage: HourRunLineage;
  /** Set by `stop()`: work asked for after it (a Ctrl-C during start-up) does not start. */
  private stopping = false;
  private abortDrain: () => void = () => undefined;
  private readonly drainAborted = new Promise<void>((resolve) => (this.abortDrain = resolve));

  private constructor(
    readonly state: StateStore,
    private readonly settings: OrchestratorSettings,
    private readonly hooks: OrchestratorHooks,
  ) {
    const onError = this.onError;
    this.events = new RunEvents(state.events, settings.callbacks, onError);
    this.deliveries = new CallbackDispatcher(state.events, settings.callbacks, this.owner, onError);
    this.deadlines = new DeadlineWatch(state.runs, this.events, settings.deadlines);
    this.lineage = new HourRunLineage(settings.state, onError);
  }

  /** `create: false`: a state that does not exist (or is damaged) fails, naming it, and nothing is made. */
  static async open(settings: OrchestratorSettings, hooks: OrchestratorHooks = {}, options: { create?: boolean } = {}): Promise<Orchestrator> {
    const state = await openStateStore({ kind: 'sqlite', dir: settings.state, ...(options.create === undefined ? {} : { create: options.create }) });
    return new Orchestrator(state, settings, hooks);
  }

  private readonly onError = (err: Error): void => this.hooks.onError?.(err);

  /** The callbacks this process delivers to (the delivery log names them). */
  get callbacks(): readonly CallbackSubscription[] {
    return this.settings.callbacks;
  }

  get stateDir(): string {
    return this.settings.state;
  }

  get runEvents(): RunEvents {
    return this.events;
  }

  /** Queues a run of the hour, or answers the one already queued or running. */
  async submit(hour: string, trigger: RunTrigger, target: RunTarget): Promise<{ run: RunRecord; created: boolean }> {
    checkRunnableHour(hour, target.timezone);
    return this.state.runs.submit({ lake: target.lake, hour, trigger, request: runRequest(target) });
  }

  /** Whether an `eventlake up` is working on this state (it then runs what is queued). */
  async schedulerRunning(): Promise<boolean> {
    return (await this.state.scheduler.live()).length > 0;
  }

  /**
   * Works on the runs in scope until `finished()` (or `stop()`); `retryRuns`: runs failing
   * before their tasks go back to the queue (the scheduler) instead of failing at once.
   */
  async work(scope: EngineScope, finished: () => Promise<boolean>, options: { retryRuns: boolean; observer?: EngineObserver; onTick?: () => Promise<void> }): Promise<void> {
    // Stopped before the work began (a Ctrl-C while starting up): there is nothing to stop later.
    if (this.stopping) return;
    this.worked = true;
    const executor = await openTaskExecutor({ kind: 'local', workers: this.settings.workers });
    const engine = new RunEngine({
      state: this.state,
      owner: this.owner,
      executor,
      registry: defaultRegistry(),
      retry: this.settings.retry,
      visibilityMs: this.settings.visibilityMs,
      events: this.events,
      maxQuarantinedShare: this.settings.maxQuarantinedShare,
      retryRuns: options.retryRuns,
      observer: {
        onError: this.onError,
        ...(this.hooks.onRetry ? { onRetry: this.hooks.onRetry } : {}),
        ...(this.hooks.onRecovered ? { onRecovered: this.hooks.onRecovered } : {}),
        ...options.observer,
        onPlanned: (run, manifest) => {
          this.lineage.planned(run);
          options.observer?.onPlanned?.(run, manifest);
        },
        onSettled: (run) => {
          this.lineage.settled(run);
          options.observer?.onSettled?.(run);
        },
      },
    });
    this.engine = engine;
    // A stop that came while the workers were starting: the engine gives back at once what it took.
    if (this.stopping) engine.stop();
    // Deadlines are watched on a timer of their own: a run stuck anywhere, even in this very
    // process, is still seen to be late.
    const watch = setInterval(() => {
      this.deadlines.check().then(
        () => this.deliveries.pump(),
        (err: unknown) => this.onError(err as Error),
      );
    }, DEADLINE_CHECK_MS);
    try {
      // A tick that fails (a source folder gone for a moment) is logged; the work goes on.
      await engine.work(scope, finished, this.settings.pollMs, async () => {
        await options.onTick?.().catch((err: unknown) => this.onError(err as Error));
        this.deliveries.pump();
      });
    } finally {
      clearInterval(watch);
      this.engine = undefined;
      await executor.close();
    }
  }

  /** Callbacks still owed to this configuration's targets (a process died delivering them) go out before close. */
  owesDeliveries(): void {
    this.worked = true;
  }

  /** Works until every run of `ids` has ended; answers them as they ended. */
  async workOn(ids: readonly string[], options: { retryRuns: boolean; maxRunning?: number; observer?: EngineObserver }): Promise<RunRecord[]> {
    const ended = async (): Promise<boolean> => {
      for (const id of ids) if (!TERMINAL.has((await this.state.runs.get(id))?.status ?? 'failed')) return false;
      return true;
    };
    await this.work({ ids, ...(options.maxRunning === undefined ? {} : { maxRunning: options.maxRunning }) }, ended, options);
    return Promise.all(ids.map(async (id) => (await this.state.runs.get(id)) as RunRecord));
  }

  /**
   * Stops taking work; what is in flight finishes and the rest goes back to the queue. While
   * closing, it stops waiting for callback deliveries (the next process makes them).
   */
  stop(): void {
    this.stopping = true;
    if (this.engine) this.engine.stop();
    else this.abortDrain();
  }

  /** Whether `stop()` was called: a command starting up stops before it serves or works. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** What stopping at once would leave undone, a few words each (said by a second Ctrl-C). */
  unfinished(): string[] {
    const left: string[] = [];
    const runs = [...(this.engine?.activeRuns ?? []), ...(this.engine?.startingRuns ?? [])];
    if (runs.length > 0) {
      const minutes = Math.max(1, Math.round(this.settings.visibilityMs / 60_000));
      left.push(`run${runs.length === 1 ? '' : 's'} ${runs.join(', ')} in flight (another process takes ${runs.length === 1 ? 'it' : 'them'} over within ${minutes} min)`);
    }
    const deliveries = this.deliveries.inFlight;
    if (deliveries > 0) left.push(`${deliveries} callback deliver${deliveries === 1 ? 'y' : 'ies'} (the next process makes ${deliveries === 1 ? 'it' : 'them'})`);
    return left;
  }

  /**
   * Delivers what callbacks this process owes (for at most `timeoutMs`, or until a stop), then
   * gives up those still under way (the next process delivers them) and closes the state.
   * Answers how many deliveries were given up.
   */
  async close(timeoutMs = 15_000): Promise<{ deliveriesLeft: number }> {
    await this.lineage.flush();
    if (this.worked) await this.deliveries.drain(timeoutMs, this.drainAborted).catch((err: unknown) => this.onError(err as Error));
    // A webhook that never answers (or its retries) would otherwise keep the process alive after the state is closed.
    const deliveriesLeft = this.deliveries.abandon();
    this.state.close();
    return { deliveriesLeft };
  }
}
