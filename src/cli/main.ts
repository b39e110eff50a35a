#!/usr/bin/env node
/** The `eventlake` command line: parses flags, runs a command, reports errors in one sentence. */
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors/user-error.js';
import { openDebugLog, resolveState, type GlobalOptions } from './cli-context.js';
import { demoCommand } from './demo-command.js';
import { generateCommand } from './generate-command.js';
import { dlqCommand } from './dlq-command.js';
import { fanoutCommand } from './fanout-command.js';
import { initCommand } from './init-command.js';
import { lambdaCommand } from './lambda-command.js';
import { resumeCommand } from './resume-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { statusCommand } from './status-command.js';
import { backfillCommand, triggerCommand } from './trigger-command.js';
import { upCommand } from './up-command.js';
import { explainCommand, lineageCommand, queryCommand, sqlCommand, warehouseCommand } from './warehouse-command.js';
import { globalOptions } from './shared-options.js';

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

export async function main(argv: readonly string[]): Promise<number> {
  // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22; the versions
  // are pinned in package-lock.json (README, "AWS"), so the nine lines would only be noise.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // A reader that stops early (`| head`) is not an error of ours: the work is done by then.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = new Command('eventlake')
    .description('Raw JSON event files in, a validated, partitioned, compact lake out.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const option of globalOptions()) program.addOption(option);
  const global = (): GlobalOptions => readGlobalOptions(program);
  const commands = [
    runCommand(global),
    fanoutCommand(global),
    triggerCommand(global),
    backfillCommand(global),
    resumeCommand(global),
    upCommand(global),
    serveCommand(global),
    statusCommand(global),
    dlqCommand(global),
    initCommand(global),
    warehouseCommand(global),
    queryCommand(global),
    sqlCommand(global),
    explainCommand(global),
    lineageCommand(global),
    generateCommand(global),
    demoCommand(global),
    lambdaCommand(global),
  ];
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
    openDebugLog(state).error({ err }, 'command failed');
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

process.exitCode = await main(process.argv.slice(2));
