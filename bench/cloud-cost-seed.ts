/**
 * The seed's design for the same hour, computed from the hour's input: each second-file's S3
 * notification is one SQS message (one SendMessage), one Lambda invocation (one ReceiveMessage and
 * one DeleteMessage by Lambda's poller), one GET of the file, and one object PUT per entity present
 * in that second. Its GB-s are taken as equal to ours (the same bytes decoded and written at the same
 * memory): a lower bound, since each of its invocations also pays its own start and round trips.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyTally } from './cloud-cost-requests.js';
import type { HourUsage } from './cloud-cost-prices.js';

export interface HourInput {
  readonly files: number;
  /** Σ over second-files of the entities (`on`) present in that file. */
  readonly entityObjects: number;
  readonly entities: readonly string[];
}

const ON = /"on"\s*:\s*"([^"]+)"/;

export async function readHourInput(dir: string): Promise<HourInput> {
  const names = (await readdir(dir)).filter((n) => /-events\.json$/.test(n)).sort();
  let entityObjects = 0;
  const all = new Set<string>();
  for (const name of names) {
    const present = new Set<string>();
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      const on = ON.exec(line)?.[1];
      if (on !== undefined) present.add(on);
    }
    entityObjects += present.size;
    for (const e of present) all.add(e);
  }
  return { files: names.length, entityObjects, entities: [...all].sort() };
}

export function seedUsage(input: HourInput, gbSeconds: number): HourUsage {
  const s3 = { ...emptyTally(), GET: input.files, PUT: input.entityObjects };
  return { s3, sqsMessages: input.files, sqsRequests: 3 * input.files, invocations: input.files, gbSeconds };
}

export const SEED_MODEL =
  'seed: per second-file, 1 SQS message (S3 notification: 1 SendMessage; Lambda poller: 1 ReceiveMessage + 1 DeleteMessage), 1 invocation, 1 GET, 1 PUT per entity present in that second; GB-s taken equal to ours (a lower bound)';
