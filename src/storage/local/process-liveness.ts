/**
 * Whether the run that wrote a lease or a staging area is still alive. A process is asked with
 * signal 0; runs of this very process are known by name, since the process being alive says
 * nothing about which of its runs still are.
 */
import { hostname } from 'node:os';

const liveRuns = new Set<string>();

export const thisHost = hostname();

export function markRunLive(runId: string): void {
  liveRuns.add(runId);
}

export function markRunEnded(runId: string): void {
  liveRuns.delete(runId);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder on another machine cannot be asked: it counts as alive. */
export function holderAlive(holder: { pid: number; host: string; runId: string }): boolean {
  if (holder.host !== thisHost) return true;
  if (holder.pid === process.pid) return liveRuns.has(holder.runId);
  return processAlive(holder.pid);
}
