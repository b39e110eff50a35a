/** One line per event of a long-running command: text for a person, a JSON object per line with --json. */
import type { GlobalOptions } from './cli-context.js';

export function announce(global: GlobalOptions, json: Record<string, unknown>, text: string): void {
  process.stdout.write(global.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}
