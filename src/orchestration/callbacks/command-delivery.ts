/**
 * Delivering a callback to a command: run by /bin/sh with the payload as one JSON line on stdin;
 * exit code 0 is a delivery. A timeout ends the whole process group, so a pipeline or a child the
 * shell started does not outlive it.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { CallbackPayload, CallbackTarget, DeliveryOutcome } from './callback-event.js';
import { attemptWithRetries, durationText, failedBeforeAttempt, type AttemptResult, type DeliveryOptions } from './delivery-attempts.js';

export type CommandTarget = Extract<CallbackTarget, { kind: 'command' }>;

/** How long a command may take to stop after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 1000;
/** How long stderr may stay open after the shell exits, e.g. held by a child left in the background. */
const STDERR_LINGER_MS = 200;
const STDERR_KEEP = 8192;
const STDERR_LINE_MAX = 200;

/** Commands running now: ended with eventlake, so none is left behind under pid 1. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid, 'SIGKILL');
});

/** Never throws: every failure is an outcome with `ok: false`. */
export async function deliverCommand(target: CommandTarget, payload: CallbackPayload, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const started = performance.now();
  let input: string;
  try {
    input = `${JSON.stringify(payload)}\n`;
  } catch {
    return failedBeforeAttempt('command payload could not be written as JSON', started);
  }
  return attemptWithRetries(target.retries, options, () => runOnce(target.command, input, target.timeoutMs, options.signal));
}

function runOnce(command: string, input: string, timeoutMs: number, stop?: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let child: ChildProcessByStdio<Writable, null, Readable>;
    try {
      // detached: the command leads its own process group, which a timeout can end as a whole.
      child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (error) {
      // E.g. a NUL byte in the command, refused before anything runs.
      resolve({ ok: false, error: `command could not start: ${(error as NodeJS.ErrnoException).code ?? 'invalid command'}` });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      resolve(result);
    };
    // The process stopping: the command is ended at once (its delivery is left to the next process).
    const onStop = (): void => killGroup(child.pid, 'SIGKILL');
    if (stop?.aborted) onStop();
    else stop?.addEventListener('abort', onStop, { once: true });

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);

    child.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: `command could not start: ${error.code ?? error.message}` }));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_KEEP) stderr += chunk;
    });
    // A command that does not read its input closes the pipe (EPIPE); its exit code still decides.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);

    child.on('exit', () => {
      if (pid !== undefined) running.delete(pid);
      setTimeout(() => child.stderr.destroy(), STDERR_LINGER_MS).unref();
    });
    child.on('close', (code, signal) => {
      if (timedOut) finish({ ok: false, error: `command timed out after ${durationText(timeoutMs)}` });
      else if (code === 0) finish({ ok: true, status: 0 });
      else if (code !== null) finish({ ok: false, status: code, error: exitedText(code, stderr) });
      else finish({ ok: false, error: `command was killed by ${signal ?? 'a signal'}` });
    });
  });
}

function exitedText(code: number, stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  if (line === undefined) return `command exited with code ${code}`;
  const shown = line.length > STDERR_LINE_MAX ? `${line.slice(0, STDERR_LINE_MAX - 1)}…` : line;
  return `command exited with code ${code}: ${shown}`;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has already gone.
  }
}
