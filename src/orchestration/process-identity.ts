/**
 * Which process owns a run or holds a message, told apart from a later process that happens to
 * get the same pid: the owner is `host:pid:start`, where `start` is the process's start time as
 * the kernel counts it (Linux `/proc/<pid>/stat`, field 22). An owner on this host whose process
 * is gone, or whose pid now belongs to a process started at another time, is dead at once: its
 * work is taken over without waiting for any timeout.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

const host = hostname();

/** The kernel's start time of a process, or undefined where /proc cannot tell (not Linux, gone). */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const thisProcess = `${host}:${process.pid}:${startTicks(process.pid) ?? Date.now()}`;

export interface OwnerInfo {
  readonly host: string;
  readonly pid: number;
}

export function parseOwner(owner: string): OwnerInfo | undefined {
  const m = /^(.*):(\d+):([^:]+)$/.exec(owner);
  return m ? { host: m[1] as string, pid: Number(m[2]) } : undefined;
}

/**
 * Whether the owner may still be working. An owner on another host cannot be asked: it counts
 * as alive, and only a timeout (the visibility timeout, the lease expiry) frees its work.
 */
export function ownerAlive(owner: string): boolean {
  if (owner === thisProcess) return true;
  const m = /^(.*):(\d+):([^:]+)$/.exec(owner);
  if (!m) return false;
  const [, ownerHost, pidText, start] = m as unknown as [string, string, string, string];
  if (ownerHost !== host) return true;
  const pid = Number(pidText);
  if (!pidAlive(pid)) return false;
  const now = startTicks(pid);
  return now === undefined || now === start;
}
