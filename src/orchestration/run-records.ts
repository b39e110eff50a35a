/**
 * One JSON file per finished run under `<state>/runs/`: what ran, when, and what it wrote.
 * The scheduler will build on these; for now they answer "when was hour H last loaded?".
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../pipeline/run-hour.js';

export interface RunRecord extends RunSummary {
  readonly finishedAt: string;
  readonly source: string;
  readonly lake: string;
  readonly format: string;
}

export async function saveRunRecord(stateDir: string, record: RunRecord): Promise<string> {
  const dir = join(stateDir, 'runs');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${record.runId}.json`);
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}
