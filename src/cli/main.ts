#!/usr/bin/env node
/** The `eventlake` executable: runs the program on this process's arguments and exits with its code. */
import { unsupportedNode } from './node-version.js';

// Said in one sentence before a module that needs a newer Node fails to link with a SyntaxError.
const unsupported = unsupportedNode(process.versions.node);
if (unsupported !== undefined) {
  process.stderr.write(`eventlake: ${unsupported}\n`);
  process.exit(1);
}

// A reader that stops early (`| head`) is not an error of ours: the work is done by then.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const { main } = await import('./program.js');
process.exitCode = await main(process.argv.slice(2));
