/** The `eventlake` program: parses flags, runs a command, reports errors in one sentence; importable without running. */
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors/user-error.js';
import { closeDebugLogs, debugLogFailed, openDebugLog, resolveState, type GlobalOptions } from './cli-context.js';
import { globalOptions } from './shared-options.js';

type CommandFactory = (global: () => GlobalOptions) => Command;

/**
 * Every command, in the order help lists them, each loaded from its module only when needed:
 * a run does not load the warehouse, the web server or the cloud commands (~40 ms of start-up).
 */
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  fanout: async () => (await import('./fanout-command.js')).fanoutCommand,
  trigger: async () => (await import('./trigger-command.js')).triggerCommand,
  backfill: async () => (await import('./trigger-command.js')).backfillCommand,
  resume: async () => (await import('./resume-command.js')).resumeCommand,
  up: async () => (await import('./up-command.js')).upCommand,
  serve: async () => (await import('./serve-command.js')).serveCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  dlq: async () => (await import('./dlq-command.js')).dlqCommand,
  state: async () => (await import('./state-command.js')).stateCommand,
  init: async () => (await import('./init-command.js')).initCommand,
  warehouse: async () => (await import('./warehouse-command.js')).warehouseCommand,
  query: async () => (await import('./warehouse-command.js')).queryCommand,
  sql: async () => (await import('./warehouse-command.js')).sqlCommand,
  explain: async () => (await import('./warehouse-command.js')).explainCommand,
  lineage: async () => (await import('./warehouse-command.js')).lineageCommand,
  generate: async () => (await import('./generate-command.js')).generateCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  lambda: async () => (await import('./lambda-command.js')).lambdaCommand,
};

/** Global flags that take a value: their value is not the command's name. */
const VALUED_GLOBAL_FLAGS = new Set(['--state', '--config']);

/**
 * The command the arguments name, when it is one of ours: the first word that is neither a
 * flag nor a global flag's value. Anything else (help, a typo) loads every command, so help
 * lists them all and commander can suggest the nearest name.
 */
function namedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    // Help asked before the command (`eventlake --help run`) is the whole program's help.
    if (word === '--' || word === '--help' || word === '-h') return undefined;
    if (VALUED_GLOBAL_FLAGS.has(word)) i++;
    else if (!word.startsWith('-')) return Object.hasOwn(COMMANDS, word) ? word : undefined;
  }
  return undefined;
}

function readGlobalOptions(program: Command): GlobalOptions {
  const opts = program.opts<{ state?: string; config?: string; json?: boolean; debug?: boolean }>();
  return {
    state: resolveState(opts.state ?? process.env['EVENTLAKE_STATE']),
    stateGiven: opts.state !== undefined,
    config: opts.config,
    json: opts.json ?? false,
    debug: opts.debug ?? false,
  };
}

/** Runs one command line to its end and answers its exit code; what the command opened is closed. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const code = await runCommandLine(argv);
    // A debug log that could not be written was said on stderr; the exit code says it too.
    return code === 0 && debugLogFailed() ? 1 : code;
  } finally {
    closeDebugLogs();
  }
}

async function runCommandLine(argv: readonly string[]): Promise<number> {
  // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22; the versions
  // are pinned in package-lock.json (README, "AWS"), so the nine lines would only be noise.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const program = new Command('eventlake')
    .description('Raw JSON event files in, a validated, partitioned, compact lake out.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const option of globalOptions()) program.addOption(option);
  const global = (): GlobalOptions => readGlobalOptions(program);
  const named = namedCommand(argv);
  const factories = await Promise.all((named === undefined ? Object.keys(COMMANDS) : [named]).map((name) => (COMMANDS[name] as () => Promise<CommandFactory>)()));
  const commands = factories.map((factory) => factory(global));
  // Global flags are accepted after the command name too: `eventlake run --json …`, `eventlake dlq list --json`.
  const acceptGlobalFlags = (command: Command): void => {
    for (const option of globalOptions()) command.addOption(option);
    command.hook('preAction', (cmd) => {
      const own = cmd.opts<{ state?: string; config?: string; json?: boolean; debug?: boolean }>();
      if (own.state !== undefined) program.setOptionValue('state', own.state);
      if (own.config !== undefined) program.setOptionValue('config', own.config);
      if (own.json) program.setOptionValue('json', true);
      if (own.debug) program.setOptionValue('debug', true);
    });
    command.exitOverride();
    for (const sub of command.commands) acceptGlobalFlags(sub);
  };
  for (const command of commands) {
    acceptGlobalFlags(command);
    program.addCommand(command.exitOverride());
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that printed its results and then found a failure (a hour of a backfill) set it.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (naming the flag); help exits 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    const { debug, state } = readGlobalOptions(program);
    // Logged only into a state that exists: a command refused for want of a state makes none.
    openDebugLog(state, { create: false }).error({ err }, 'command failed');
    if (err instanceof UserError) {
      process.stderr.write(`eventlake: ${err.message}\n`);
      if (debug) process.stderr.write(`${err.stack ?? ''}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`eventlake: unexpected error: ${message.split('\n')[0]}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}

