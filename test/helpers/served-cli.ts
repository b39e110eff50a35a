/**
 * `eventlake serve` / `up` started as real processes on a free port, and plain HTTP requests to
 * them (node:http, so a test can send any Host, Origin or Content-Type a hostile page could).
 */
import { request as httpRequest } from 'node:http';
import { killGroup, startCli, waitFor, type Running } from './processes.js';

/** Well past the CLI's own stop deadline (STOP_DEADLINE_MS, 30 s), so only a hang it failed to bound reaches it. */
const STOP_SAFETY_NET_MS = 45_000;

export interface Served {
  readonly url: string;
  readonly running: Running;
  /** Ctrl-C, then the exit; fails when the server did not stop by itself (see STOP_SAFETY_NET_MS). */
  stop(): Promise<void>;
}

/**
 * Starts `eventlake <command> … --port 0 --json` and waits for its `listening` line. The process
 * leads its own process group, killed at the end of the test file at the latest (see startCli),
 * and at once when it never listens.
 */
export async function startServed(command: 'serve' | 'up', args: readonly string[], env: Record<string, string> = {}): Promise<Served> {
  const running = startCli([command, ...args, '--port', '0', '--json'], env);
  const exited = running.exited.then(({ code }) => {
    throw new Error(`eventlake ${command} exited with ${code} before listening: ${running.out.stderr.trim()}`);
  });
  const listening = waitFor(
    `eventlake ${command} to listen`,
    () => {
      const line = running.out.stdout.split('\n').find((l) => l.includes('"listening"'));
      return line ? (JSON.parse(line) as { url: string }).url : undefined;
    },
    60_000,
  );
  exited.catch(() => undefined);
  const url = await Promise.race([listening, exited]).catch((err: unknown) => {
    if (running.child.pid !== undefined) killGroup(running.child.pid);
    throw err;
  });
  return {
    url,
    running,
    stop: async () => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) return;
      running.child.kill('SIGINT');
      // The CLI bounds its own stop (30 s, then it exits naming what it left): a server still
      // running well after that is a stop hang. It is killed, so the next test is not held, and
      // the test fails, so the regression is seen.
      let killed = false;
      const timer = setTimeout(() => {
        if (running.child.exitCode === null && running.child.pid !== undefined) {
          killed = true;
          killGroup(running.child.pid);
        }
      }, STOP_SAFETY_NET_MS);
      let exit: { code: number; signal: NodeJS.Signals | null };
      try {
        exit = await running.exited;
      } finally {
        clearTimeout(timer);
      }
      const stderr = running.out.stderr.trim();
      if (killed) throw new Error(`eventlake ${command} was still running ${STOP_SAFETY_NET_MS / 1000} s after Ctrl-C and was killed: a stop hang (stderr: ${stderr})`);
      if (/eventlake: still stopping/.test(stderr)) throw new Error(`eventlake ${command} did not stop cleanly after Ctrl-C and gave up (exit ${exit.code}): ${stderr}`);
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON); read loosely, as a test reads an answer. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test checks the shape it reads
  readonly json: any;
}

export interface Ask {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON with Content-Type application/json unless headers say otherwise. */
  readonly body?: unknown;
}

export function ask(base: string, path: string, options: Ask = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(body !== undefined && typeof options.body !== 'string' ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls a run through the API until it has ended. */
export async function runEnded(base: string, id: string, headers: Record<string, string> = {}, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  return waitFor(
    `run ${id} to end`,
    async () => {
      const { json } = await ask(base, `/api/runs?limit=1000`, { headers });
      const runs = ((json as { runs?: Record<string, unknown>[] } | undefined)?.runs ?? []);
      const run = runs.find((r) => r['id'] === id);
      return run && (run['status'] === 'success' || run['status'] === 'failed') ? run : undefined;
    },
    timeoutMs,
    200,
  );
}
