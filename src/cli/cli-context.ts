/** What every command shares: the global flags and how results reach the person or script. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { makeFolderSync } from '../storage/writable-folder.js';

export interface GlobalOptions {
  readonly state: string;
  /** Whether the person chose --state (demo keeps its own otherwise). */
  readonly stateGiven: boolean;
  /** `--config <file>`: this config file and no other. */
  readonly config: string | undefined;
  readonly json: boolean;
  readonly debug: boolean;
}

export const DEFAULT_STATE_DIR = '.eventlake';

/** The debug logs this command opened, by file: one file descriptor each, closed when the command ends. */
const openLogs = new Map<string, { logger: Logger; destination: ReturnType<typeof pino.destination> }>();
/** The debug logs that could not be written (a full or read-only disk): the command then ends with code 1. */
const failedLogs = new Set<string>();

/**
 * A write to the debug log failed: said once, in one sentence naming the folder, and the log
 * goes quiet. Without this, pino's destination (SonicBoom) throws its error out of whatever
 * line logged, and the command dies with a stack trace.
 */
function logWriteFailed(file: string, logger: Logger, err: NodeJS.ErrnoException): void {
  logger.level = 'silent';
  if (failedLogs.has(file)) return;
  failedLogs.add(file);
  const why = err.code === 'ENOSPC' ? 'is full' : err.code === 'EROFS' ? 'is read-only' : err.code === 'EACCES' || err.code === 'EPERM' ? 'is not writable' : 'cannot be written';
  process.stderr.write(
    `eventlake: the log folder ${dirname(file)} ${why} (${err.code ?? err.message}): the debug log ${file} stops here; free space or fix the folder (the command's own work is not affected by this)\n`,
  );
}

/**
 * The debug log under the state folder: stack traces and run details, never credentials.
 * `create: false` logs only into a state folder that exists (an error before any state is made makes none).
 */
export function openDebugLog(stateDir: string, options: { create?: boolean } = {}): Logger {
  const dest = join(stateDir, 'logs', 'eventlake.log');
  const open = openLogs.get(dest);
  if (open) return open.logger;
  try {
    if (options.create === false && !existsSync(stateDir)) return pino({ enabled: false });
    makeFolderSync(join(stateDir, 'logs'));
    const destination = pino.destination({ dest, sync: true, append: true });
    const logger = pino({ base: undefined }, destination);
    destination.on('error', (err: NodeJS.ErrnoException) => logWriteFailed(dest, logger, err));
    openLogs.set(dest, { logger, destination });
    return logger;
  } catch {
    return pino({ enabled: false });
  }
}

/** Whether a debug log of this command could not be written. */
export function debugLogFailed(): boolean {
  return failedLogs.size > 0;
}

/** Closes the debug logs a command opened (the program runs commands in-process too, over and over). */
export function closeDebugLogs(): void {
  for (const { destination } of openLogs.values()) {
    try {
      destination.end();
    } catch {
      // A log that could not be written has said so already.
    }
  }
  openLogs.clear();
  failedLogs.clear();
}

export function resolveState(state: string | undefined): string {
  return resolve(state ?? DEFAULT_STATE_DIR);
}

/** Prints the command's result: one JSON object with --json, readable text otherwise. */
export function printResult(options: GlobalOptions, json: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json)}\n` : `${text()}\n`);
}

/** Things that went wrong after the work was done: on stderr, the exit code stays 0. */
export function printWarnings(warnings: readonly string[] | undefined): void {
  for (const warning of warnings ?? []) process.stderr.write(`eventlake: warning: ${warning}\n`);
}
