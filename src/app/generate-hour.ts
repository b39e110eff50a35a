/** Writing a synthetic hour of source objects, as `generate` and `demo` ask for it. */
import { resolve } from 'node:path';
import { generateHour as writeSyntheticHour, type GenerateResult } from '../generate/synthetic-feed.js';
import type { Hour } from '../pipeline/hour.js';
import { ensureWritableFolder } from '../storage/writable-folder.js';

export interface GenerateRequest {
  readonly out: string;
  readonly hour: Hour;
  readonly vehicles: number;
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
    seed: request.seed,
    gzip: request.gzip,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
}
