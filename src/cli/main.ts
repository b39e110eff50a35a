#!/usr/bin/env node
/** The `eventlake` executable: runs the program on this process's arguments and exits with its code. */
import { main } from './program.js';

// A reader that stops early (`| head`) is not an error of ours: the work is done by then.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
