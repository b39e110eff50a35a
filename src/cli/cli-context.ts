/** What every command shares: the global flags and how results reach the person or script. */
import { join, resolve } from 'node:path';
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

/** The debug log under the state folder: stack traces and run details, never credentials. */
export function openDebugLog(stateDir: string): Logger {
  const dest = join(stateDir, 'logs', 'eventlake.log');
  const open = openLogs.get(dest);
  if (open) return open.logger;
  try {
    makeFolderSync(join(stateDir, 'logs'));
    const destination = pino.destination({ dest, sync: true, append: true });
    const logger = pino({ base: undefined }, destination);
    openLogs.set(dest, { logger, destination });
    return logger;
  } catch {
    return pino({ enabled: false });
  }
}

/** Closes the debug logs a command opened (the program runs commands in-process too, over and over). */
export function closeDebugLogs(): void {
  for (const { destination } of openLogs.values()) destination.end();
  openLogs.clear();
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
