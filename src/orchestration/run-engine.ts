/**
 * Carries runs through their stages on the durable queue, in this process: start a queued run
 * (take its hour's lease, finish what a crash left, plan it, queue its tasks), hand its task
 * messages to the task executor, queue its finish-and-publish once every task is done, publish.
 * Every step is recorded in the state store first, so whatever process comes next (after a
 * crash, `kill -9` included) goes on from there: a run whose owner died is taken over at once,
 * its done tasks kept. While it works, the engine heartbeats its runs and its claimed messages
 * every quarter of the visibility timeout; a process that stops heartbeating (frozen by SIGSTOP
 * or Ctrl-Z, stuck, on a lost machine) has its runs and claims taken over once the timeout
 * lapses, and is refused whatever it tries to settle when it wakes up.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityRegistry } from '../events/entity-registry.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import type { LakeFormat } from '../formats/lake-format.js';
import { UserError } from '../errors/user-error.js';
import { crashPoint, pausePoint } from '../pipeline/fail-points.js';
import { parseHour } from '../pipeline/hour.js';
import type { RunManifest, TaskOutput, TaskSettings } from '../pipeline/run-manifest.js';
import type { TaskExecutor } from '../pipeline/task-executor.js';
import type { LakeStorage } from '../storage/lake-storage.js';
import { openLakeStorage } from '../storage/lake-storage-registry.js';
import { LeaseHeldError } from '../storage/errors.js';
import type { Recovered } from '../storage/publisher.js';
import type { Lease } from '../storage/partition-lease.js';
import { noSourceObjects, planRun } from './plan-run.js';
import { retryDelayMs } from './retry-delay.js';
import type { RunEvents } from './run-events.js';
import type { RunRecord } from './run-store.js';
import { deadSeconds } from './dead-time.js';
import { publishRun } from './publish-run.js';
import { summarizeRun } from './run-summary.js';
import type { StateStore } from './state-store.js';
import type { ClaimedMessage, RetryPolicy } from './work-queue.js';

export interface EngineObserver {
  readonly onPlanned?: (run: RunRecord, manifest: RunManifest) => void;
  readonly onProgress?: (runId: string, done: { objects: number; events: number }, total: { objects: number; bytes: number }) => void;
  readonly onPhase?: (runId: string, phase: 'writing' | 'publishing') => void;
  /** A run ended (success or failed) or went back to the queue for a retry. */
  readonly onSettled?: (run: RunRecord) => void;
  /** A task or publish failed and will be tried again at `at`. */
  readonly onRetry?: (runId: string, what: string, attempt: number, at: Date, error: string) => void;
  /** Something went wrong outside any run (recording an event, say): worth a log line. */
  readonly onError?: (err: Error) => void;
  /** A dead run's leftovers in the hour were finished, rolled back or cleared: one sentence each. */
  readonly onRecovered?: (hour: string, recovered: Recovered) => void;
}

export interface EngineOptions {
  readonly state: StateStore;
  /** This process, as process-identity names it. */
  readonly owner: string;
  readonly executor: TaskExecutor;
  readonly registry: EntityRegistry;
  readonly retry: RetryPolicy;
  /**
   * How long a claim (a run's, a message's) lasts without a heartbeat; the engine heartbeats
   * every quarter of it. Also the time limit of one task on the executor.
   */
  readonly visibilityMs: number;
  readonly events: RunEvents;
  readonly maxQuarantinedShare: number;
  /**
   * Whether a run that fails before its tasks are queued (no source objects, the hour held by
   * another lake user) goes back to the queue with backoff. The scheduler's runs do; a run
   * someone waits for at a terminal fails at once and says why.
   */
  readonly retryRuns: boolean;
  readonly observer?: EngineObserver;
}

/** Which runs this engine works on: the given ids (a foreground command), or any (the scheduler). */
export interface EngineScope {
  readonly ids?: readonly string[];
  /** Runs running at once, across every process on the state. */
  readonly maxRunning?: number;
}

interface ActiveRun {
  readonly record: RunRecord;
  readonly manifest: RunManifest;
  readonly lake: LakeStorage;
  readonly format: LakeFormat;
  readonly lease: Lease;
  readonly scratchDir: string;
  readonly settings: TaskSettings;
  readonly done: { objects: number; events: number };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * Where one claim of a task or finish writes: a folder of its own (attempt number and part of
 * the claim token), so a holder that was taken over and wakes up never writes into its
 * successor's files.
 */
function attemptScratch(runScratch: string, message: ClaimedMessage): string {
  return join(runScratch, `attempt-${message.attempts}-${message.claimToken.slice(0, 8)}`);
}

function outputsExist(output: TaskOutput): boolean {
  const files = [...Object.values(output.tables).flat(), ...(output.quarantine ? [output.quarantine] : [])];
  return files.every((f) => existsSync(f.path));
}

export class RunEngine {
  private readonly active = new Map<string, ActiveRun>();
  private readonly finishing = new Set<string>();
  /** Messages this engine holds a claim on right now: heartbeated until they settle. */
  private readonly claims = new Map<number, ClaimedMessage>();
  /** Runs being started (lease, plan): heartbeated too, however long planning takes. */
  private readonly activating = new Set<string>();
  private heartbeating = false;
  private inFlight = 0;
  private tasksDone = 0;
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastHousekeeping = 0;

  constructor(private readonly options: EngineOptions) {}

  /** Runs this process holds right now. */
  get activeRuns(): readonly string[] {
    return [...this.active.keys()];
  }

  /** Runs this process is starting right now (taking the hour's lease, planning). */
  get startingRuns(): readonly string[] {
    return [...this.activating].filter((id) => !this.active.has(id));
  }

  /** Asks the engine to stop taking work; `work` returns once what is in flight has settled. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /**
   * Works on runs in `scope` until `finished()` says so or `stop()` is called, waking on every
   * settled job and at least every `pollMs` (for runs other processes queue). `onTick` runs on
   * each wake (deadlines, deliveries). Runs still held when it stops go back to the queue.
   */
  async work(scope: EngineScope, finished: () => Promise<boolean>, pollMs: number, onTick?: () => Promise<void>): Promise<void> {
    // On a timer of its own, so a step waiting on a slow store or lake does not let claims lapse.
    const heartbeat = setInterval(() => void this.heartbeat(), Math.max(1, Math.floor(this.options.visibilityMs / 4)));
    try {
      while (!this.stopping) {
        await this.step(scope, pollMs);
        await onTick?.();
        if (this.inFlight === 0 && this.finishing.size === 0 && (await finished())) break;
        await this.sleep(await this.nextWakeMs(pollMs));
      }
    } finally {
      try {
        await this.drain();
      } finally {
        clearInterval(heartbeat);
      }
    }
  }

  /**
   * Extends the claims on this engine's runs and messages. A run found taken over (this process
   * was frozen past the visibility timeout, and another took it) is dropped at once: its lease
   * goes back, and its tasks still in flight are refused when they settle.
   */
  private async heartbeat(): Promise<void> {
    if (this.heartbeating) return;
    this.heartbeating = true;
    const { runs, queue } = this.options.state;
    const { owner, visibilityMs } = this.options;
    try {
      const ids = this.activeRuns;
      const held = new Set(await runs.heartbeat(owner, [...ids, ...this.activating], visibilityMs));
      const dropped = new Set<string>();
      for (const id of ids) {
        const run = this.active.get(id);
        if (held.has(id) || !run) continue;
        this.active.delete(id);
        dropped.add(id);
        await this.releaseLease(run.lease);
        this.options.observer?.onError?.(new Error(`run ${id} was taken over by another process (this one stopped heartbeating for longer than the visibility timeout); leaving it`));
      }
      for (const [id, message] of [...this.claims]) {
        const ref = { messageId: id, claimToken: message.claimToken };
        // A dropped run's claims go back at once: kept alive, its late failures would still count.
        if (dropped.has(message.runId)) {
          this.claims.delete(id);
          await queue.release(ref);
        } else if (!(await queue.heartbeat(ref, visibilityMs))) this.claims.delete(id);
      }
    } catch (err) {
      this.options.observer?.onError?.(err as Error);
    } finally {
      this.heartbeating = false;
    }
  }

  private async nextWakeMs(pollMs: number): Promise<number> {
    const next = await this.options.state.queue.nextVisible(this.activeRuns);
    const untilNext = next === undefined ? pollMs : Math.max(0, next.getTime() - Date.now());
    return Math.min(pollMs, untilNext);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Waits for work in flight, then gives back the runs still held (a clean stop). */
  private async drain(): Promise<void> {
    while (this.inFlight > 0 || this.finishing.size > 0) await this.sleep(50);
    for (const run of [...this.active.values()]) {
      this.active.delete(run.record.id);
      await this.options.state.runs.release(run.record.id, this.options.owner).catch(() => undefined);
      await this.releaseLease(run.lease);
    }
  }

  private async step(scope: EngineScope, pollMs: number): Promise<void> {
    const { runs, queue } = this.options.state;
    const { owner } = this.options;
    // Looking for dead processes' work reads every claim: once per poll, not on every settled task.
    if (Date.now() - this.lastHousekeeping >= pollMs) {
      this.lastHousekeeping = Date.now();
      for (const run of await runs.takeOver(owner, { ...(scope.ids ? { ids: scope.ids } : {}), claimMs: this.options.visibilityMs })) {
        if (!this.active.has(run.id)) await this.activate(run);
      }
      await queue.releaseDead();
    }
    while (!this.stopping) {
      const run = await runs.start(owner, {
        ...(scope.ids ? { ids: scope.ids } : {}),
        ...(scope.maxRunning === undefined ? {} : { maxRunning: scope.maxRunning }),
        claimMs: this.options.visibilityMs,
      });
      if (!run) break;
      await this.activate(run);
    }
    while (!this.stopping && this.inFlight < this.options.executor.slots) {
      const ids = this.activeRuns.filter((id) => !this.finishing.has(id));
      const message = await queue.claim(owner, ids, this.options.visibilityMs);
      if (!message) break;
      const run = this.active.get(message.runId) as ActiveRun;
      this.claims.set(message.id, message);
      const settled = (): void => {
        if (this.claims.get(message.id) === message) this.claims.delete(message.id);
        this.wake?.();
      };
      if (message.kind === 'task') {
        this.inFlight++;
        void this.runTask(run, message).finally(() => {
          this.inFlight--;
          settled();
        });
      } else {
        this.finishing.add(run.record.id);
        void this.runFinish(run, message).finally(() => {
          this.finishing.delete(run.record.id);
          settled();
        });
      }
    }
  }

  /** Takes the run's hour, plans it if it has no plan yet, and makes it this process's. */
  private async activate(run: RunRecord): Promise<void> {
    this.activating.add(run.id);
    try {
      await this.activateNow(run);
    } finally {
      this.activating.delete(run.id);
    }
  }

  private async activateNow(run: RunRecord): Promise<void> {
    const { runs, queue } = this.options.state;
    const hour = parseHour(run.hour);
    let lease: Lease | undefined;
    try {
      if (!hour) throw new Error(`run ${run.id} names no hour (${run.hour})`);
      const { request } = run;
      const lake = await openLakeStorage(request.lake);
      await lake.assertWritable();
      const format = await loadLakeFormat(request.format);
      lease = await lake.lease.acquire(run.hour, run.id);
      await pausePoint('after-lease');
      // A publish a crash interrupted is finished; staging the hour's dead runs left is cleared,
      // except this run's own: its done tasks are kept.
      for (const recovered of await lake.publisher.recover(run.hour, run.id)) this.options.observer?.onRecovered?.(run.hour, recovered);
      let manifest = await runs.manifest(run.id);
      const planned = manifest !== undefined;
      if (!manifest) {
        manifest = await planRun(request, hour, run.id);
        this.options.observer?.onPlanned?.(run, manifest);
        const empty = noSourceObjects(manifest, request.layout);
        if (empty !== undefined) throw new UserError(empty);
        await runs.saveManifest(run.id, manifest);
        crashPoint('after-plan');
      }
      // Queued every time (a task already there is kept as it is): a process killed between saving
      // the plan and queueing its tasks must not leave a planned run with nothing to do.
      await queue.enqueue(run.id, manifest.tasks.map((task) => ({ kind: 'task' as const, task })));
      format.prepareFinish?.();
      const scratchDir = lake.scratchDir(run.id);
      await mkdir(scratchDir, { recursive: true });
      const settings: TaskSettings = {
        runId: run.id,
        source: manifest.source,
        format: manifest.format,
        codec: manifest.codec,
        targetFileBytes: manifest.targetFileBytes,
        maxLineBytes: manifest.maxLineBytes,
      };
      this.active.set(run.id, { record: run, manifest, lake, format, lease, scratchDir, settings, done: { objects: 0, events: 0 } });
      if (planned) this.options.observer?.onPlanned?.(run, manifest);
      await this.queueFinishWhenDone(run.id);
    } catch (err) {
      if (lease) await this.releaseLease(lease);
      if (err instanceof LeaseHeldError && err.holder?.runId === run.id) {
        // The hour is held by this very run's previous holder, which stopped heartbeating (frozen)
        // but whose lease has not lapsed yet: not a failure. The run waits in the queue, holding
        // no room, and whoever starts it next takes the lease once it lapses.
        this.active.delete(run.id);
        await runs.release(run.id, this.options.owner, new Date(Date.now() + this.options.retry.delayMs));
        return;
      }
      await this.runFailed(run, err, this.options.retryRuns);
    }
  }

  private async runTask(run: ActiveRun, message: ClaimedMessage): Promise<void> {
    const { queue } = this.options.state;
    const task = message.task;
    if (!task) return;
    const scratchDir = attemptScratch(run.scratchDir, message);
    try {
      const output = await this.options.executor.execute(
        { settings: run.settings, scratchDir, task, attempt: message.attempts },
        (p) => {
          run.done.objects += p.objects;
          run.done.events += p.events;
          this.options.observer?.onProgress?.(run.record.id, run.done, { objects: run.manifest.objects, bytes: run.manifest.bytes });
        },
        this.options.visibilityMs,
      );
      if (!(await queue.complete({ messageId: message.id, claimToken: message.claimToken }, output))) {
        // Taken over while this process was frozen: the successor's attempt counts, this one's files go.
        await rm(scratchDir, { recursive: true, force: true });
        return;
      }
      if (++this.tasksDone === 1) crashPoint('after-first-task');
      await this.queueFinishWhenDone(run.record.id);
    } catch (err) {
      await this.messageFailed(run, message, err);
    }
  }

  private async queueFinishWhenDone(runId: string): Promise<void> {
    const counts = await this.options.state.queue.counts(runId);
    if (counts.dead === 0 && counts.tasks > 0 && counts.tasksDone === counts.tasks) {
      await this.options.state.queue.enqueue(runId, [{ kind: 'finish' }]);
    }
  }

  private async runFinish(run: ActiveRun, message: ClaimedMessage): Promise<void> {
    const { queue, runs } = this.options.state;
    const { observer } = this.options;
    const id = run.record.id;
    try {
      const outputs = await queue.results(id);
      // Staging another process cleared (a run of this hour from another state folder) is redone.
      const present = new Set(outputs.filter(outputsExist).map((o) => o.taskId));
      const lost = run.manifest.tasks.map((t) => t.id).filter((t) => !present.has(t));
      if (lost.length > 0) {
        await queue.redo(id, lost);
        return;
      }
      observer?.onPhase?.(id, 'writing');
      // Writing the lake files is the memory peak (DuckDB): idle worker threads go first.
      await this.options.executor.releaseIdle();
      const published = await publishRun(run.manifest, outputs, {
        lake: run.lake,
        lease: run.lease,
        registry: this.options.registry,
        format: run.format,
        scratchDir: attemptScratch(run.scratchDir, message),
        beforePublish: async () => {
          observer?.onPhase?.(id, 'publishing');
          await pausePoint('before-publish');
        },
      });
      const summary = summarizeRun(run.manifest, published.counts, published.outputs, ...(await this.secondsTaken(run.record)));
      const poorQuality = summary.quarantinedShare > this.options.maxQuarantinedShare;
      // Ending the run settles its finish message too, in the same transaction. A run taken over
      // meanwhile is not ended (its lease was checked just before publishing; the new holder redoes it).
      const ended = await runs.end(id, this.options.owner, { status: 'success', summary, poorQuality });
      this.active.delete(id);
      if (!ended) {
        await this.releaseLease(run.lease);
        return;
      }
      await this.releaseLease(run.lease);
      const record = (await runs.get(id)) as RunRecord;
      await this.options.events.record('success', `success:${id}`, record, { objects: summary.objects, events: summary.events, quarantined: summary.quarantined });
      if (poorQuality) {
        await this.options.events.record('quality', `quality:${id}`, record, {
          quarantinedShare: summary.quarantinedShare,
          threshold: this.options.maxQuarantinedShare,
          quarantined: summary.quarantined,
          lines: Object.values(summary.events).reduce((n, c) => n + c, summary.quarantined),
        });
      }
      observer?.onSettled?.(record);
    } catch (err) {
      await this.messageFailed(run, message, err);
    }
  }

  /**
   * How long the run took, from its first start to now, less the time it lay failed before a
   * replay of its dead letters (that time is not the run's work): [seconds, dead seconds].
   */
  private async secondsTaken(run: RunRecord): Promise<[number, number?]> {
    const took = (Date.now() - Date.parse(run.startedAt ?? run.queuedAt)) / 1000;
    const { queue, events } = this.options.state;
    const replayed = (await queue.deadLetters({ includeReplayed: true })).filter((l) => l.runId === run.id && l.replayedAt !== undefined);
    if (replayed.length === 0) return [took];
    const dead = deadSeconds(replayed, await events.events({ runId: run.id, kind: 'failure' }));
    return [Math.max(0, took - dead), dead];
  }

  /**
   * Gives an hour's lease back. A release that fails (the lake unreachable) is reported, never
   * thrown: the run's own outcome must still be recorded, and the lease lapses by itself (a
   * dead pid locally, its expiry on a bucket).
   */
  private async releaseLease(lease: Lease): Promise<void> {
    await lease.release().catch((err: unknown) => this.options.observer?.onError?.(err as Error));
  }

  /** A failed attempt: retried after its backoff, or dead-lettered, which fails the run. */
  private async messageFailed(run: ActiveRun, message: ClaimedMessage, err: unknown): Promise<void> {
    const error = firstLine(err);
    const what = message.kind === 'task' ? `task ${message.task?.id ?? '?'}` : 'finish-and-publish';
    try {
      const outcome = await this.options.state.queue.fail({ messageId: message.id, claimToken: message.claimToken }, error, this.options.retry);
      // This attempt's files are of no use to anyone: a retry writes a folder of its own.
      await rm(attemptScratch(run.scratchDir, message), { recursive: true, force: true });
      // Taken over while this process was frozen: its late failure must not reopen or fail anything.
      if (outcome.outcome === 'refused') return;
      if (outcome.outcome === 'retry') {
        this.options.observer?.onRetry?.(run.record.id, what, outcome.attempt, outcome.at, error);
        await this.options.events.record('retry', `retry:${message.id}:${outcome.attempt}`, { ...run.record, attempt: outcome.attempt, error }, {
          stage: message.kind,
          ...(message.task ? { task: message.task.id } : {}),
          nextAttemptAt: outcome.at.toISOString(),
        });
        return;
      }
      const dead = outcome.deadLetter;
      const reason = `${what} failed ${dead.attempts} time${dead.attempts === 1 ? '' : 's'}: ${error} (dead letter ${dead.id}; eventlake dlq replay ${dead.id} runs it again)`;
      if (this.active.delete(run.record.id)) await this.releaseLease(run.lease);
      // Done tasks stay staged for the replay: nothing is abandoned.
      await this.runFailed(run.record, new UserError(reason), false);
    } catch (inner) {
      this.options.observer?.onError?.(inner as Error);
    }
  }

  /** The run failed before or after its tasks: retried as a whole when allowed, else failed. */
  private async runFailed(run: RunRecord, err: unknown, retry: boolean): Promise<void> {
    const { runs } = this.options.state;
    const error = err instanceof UserError ? err.message : firstLine(err);
    this.active.delete(run.id);
    if (retry && run.attempt <= this.options.retry.retries) {
      const at = new Date(Date.now() + retryDelayMs(run.attempt, this.options.retry));
      await runs.retryLater(run.id, this.options.owner, error, at);
      this.options.observer?.onRetry?.(run.id, 'run', run.attempt, at, error);
      const queued = (await runs.get(run.id)) as RunRecord;
      await this.options.events.record('retry', `retry:${run.id}:run:${run.attempt}`, { ...queued, error }, { stage: 'run', nextAttemptAt: at.toISOString() });
      this.options.observer?.onSettled?.(queued);
      return;
    }
    // Not ended: the run is no longer this process's (taken over); its new holder reports it.
    if (!(await runs.end(run.id, this.options.owner, { status: 'failed', error }))) return;
    const ended = (await runs.get(run.id)) as RunRecord;
    await this.options.events.record('failure', `failure:${run.id}:${run.attempt}:${Date.now()}`, ended);
    this.options.observer?.onSettled?.(ended);
  }
}
