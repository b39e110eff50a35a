/** Writing a synthetic hour of source objects, as `generate` and `demo` ask for it. */
import { resolve } from 'node:path';
import { generateHour as writeSyntheticHour, type GenerateResult } from '../generate/synthetic-feed.js';
import type { Hour } from '../pipeline/hour.js';
import { ensureWritableFolder } from '../storage/writable-folder.js';

export interface GenerateRequest {
  readonly out: string;
  readonly hour: Hour;
  readonly vehicles: number;
  /** The first `seconds` of the hour only (default the whole hour). */
  readonly seconds?: number;
  readonly seed: number;
  readonly gzip: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function generateHour(request: GenerateRequest): Promise<GenerateResult> {
  const out = resolve(request.out);
  await ensureWritableFolder(out, 'output folder');
  return writeSyntheticHour({
    out,
    hour: new Date(`${request.hour.label}:00:00Z`),
    vehicles: request.vehicles,
    ...(request.seconds === undefined ? {} : { seconds: request.seconds }),
    seed: request.seed,
    gzip: request.gzip,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
}
