/** `eventlake status`: what the state says now, the same data the HTTP API and the UI show. */
import type { CallbackDelivery, RecordedEvent } from '../orchestration/event-log.js';
import type { RunRecord } from '../orchestration/run-store.js';
import type { DeadLetter, QueueMessage } from '../orchestration/work-queue.js';
import type { Orchestrator } from './orchestrator.js';

export interface StateStatus {
  readonly state: string;
  readonly schedulers: readonly { owner: string; lake: string; source: string; since: string }[];
  readonly runs: readonly RunRecord[];
  readonly runningTasks: readonly QueueMessage[];
  readonly deadLetters: readonly DeadLetter[];
  readonly deadlineMisses: readonly RecordedEvent[];
  readonly alerts: readonly RecordedEvent[];
  readonly deliveries: readonly CallbackDelivery[];
}

export async function stateStatus(orchestrator: Orchestrator, limit: number): Promise<StateStatus> {
  const { state } = orchestrator;
  const alerts = [...(await state.events.events({ kind: 'late_data', limit })), ...(await state.events.events({ kind: 'quality', limit }))];
  return {
    state: state.location,
    schedulers: await state.scheduler.live(),
    runs: await state.runs.list({ limit }),
    runningTasks: await state.queue.claimed(),
    deadLetters: await state.queue.deadLetters({ limit }),
    deadlineMisses: await state.events.events({ kind: 'deadline_miss', limit }),
    alerts: alerts.sort((a, b) => b.id - a.id).slice(0, limit),
    deliveries: await state.events.deliveries({ limit }),
  };
}
