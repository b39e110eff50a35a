/** `eventlake init`: a commented starter config in this folder. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { writeStarterConfig } from '../config/starter-config.js';
import { printResult, type GlobalOptions } from './cli-context.js';

export function initCommand(global: () => GlobalOptions): Command {
  return new Command('init')
    .description('write a starter config with every key at its default: commented YAML (eventlake.config.yaml), or JSON for a .json name')
    .option('--file <path>', 'where to write it', 'eventlake.config.yaml')
    .option('--force', 'replace an existing file')
    .action(async (opts: { file: string; force?: boolean }) => {
      const path = resolve(opts.file);
      await writeStarterConfig(path, { force: opts.force ?? false });
      printResult(global(), { config: path }, () => `wrote ${path}; edit it, then: eventlake up`);
    });
}
