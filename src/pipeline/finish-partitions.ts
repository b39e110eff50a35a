/**
 * The finish stage: turns the tasks' outputs into each partition's final part files, in
 * source order (task order, then the order within each task), ready to publish.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Entity } from '../events/entity.js';
import type { EntityRegistry } from '../events/entity-registry.js';
import type { LakeFormat, WrittenFile } from '../formats/lake-format.js';
import type { FinishedPart, PartitionParts } from '../storage/publisher.js';
import { finishScratch, partFileName, partitionOf, QUARANTINE } from './lake-layout.js';
import type { RunManifest, TaskOutput } from './run-manifest.js';

export interface FinishedHour {
  readonly partitions: PartitionParts[];
  readonly events: Record<string, number>;
  readonly quarantined: number;
}

/** Task ids are `t` and a number: compared as numbers, so t100000 comes after t99999. */
function inTaskOrder(outputs: readonly TaskOutput[]): TaskOutput[] {
  const number = (o: TaskOutput): number => Number(o.taskId.slice(1));
  return [...outputs].sort((a, b) => number(a) - number(b));
}

/** Joins the tasks' quarantine files into parts of about the target size, in source order. */
function finishQuarantine(files: readonly WrittenFile[], dir: string, targetBytes: number): FinishedPart[] {
  const parts: FinishedPart[] = [];
  let current: { name: string; file: string; fd: number; rows: number; bytes: number } | undefined;
  const close = (): void => {
    if (!current) return;
    closeSync(current.fd);
    parts.push({ name: current.name, file: current.file, rows: current.rows, bytes: current.bytes });
    current = undefined;
  };
  for (const input of files) {
    const text = readFileSync(input.path);
    if (current && current.bytes + text.length > targetBytes) close();
    if (!current) {
      const name = partFileName(parts.length, 'jsonl');
      const file = join(dir, name);
      current = { name, file, fd: openSync(file, 'w'), rows: 0, bytes: 0 };
    }
    writeSync(current.fd, text);
    current.rows += input.rows;
    current.bytes += text.length;
  }
  close();
  return parts;
}

/**
 * An entity with fewer staged rows than this is finished beside the others instead of after
 * them: its finish is mostly fixed cost (a DuckDB opened, a file written and joined), which
 * would otherwise be spent on one core after the large entities, for a handful of rows.
 */
export const SMALL_ENTITY_ROWS = 50_000;

export async function finishPartitions(
  manifest: RunManifest,
  taskOutputs: readonly TaskOutput[],
  deps: { readonly registry: EntityRegistry; readonly format: LakeFormat; readonly scratchDir: string },
): Promise<FinishedHour> {
  const outputs = inTaskOrder(taskOutputs);
  const events: Record<string, number> = {};
  const finishEntity = async (entity: Entity): Promise<PartitionParts> => {
    const written = outputs.flatMap((o) => o.tables[entity.name] ?? []);
    const partition = partitionOf(entity.name, manifest.hour);
    const parts = await deps.format.finish({
      entity,
      written,
      partitionDir: join(deps.scratchDir, finishScratch(partition)),
      scratchDir: join(deps.scratchDir, 'finish', entity.name),
      codec: manifest.codec,
      targetFileBytes: manifest.targetFileBytes,
    });
    // An entity with no rows this time still takes part: its old partition is removed.
    return { partition, parts: parts.map((p) => ({ name: basename(p.path), file: p.path, rows: p.rows, bytes: p.bytes })) };
  };
  for (const entity of deps.registry.entities) {
    const count = outputs.reduce((n, o) => n + (o.events[entity.name] ?? 0), 0);
    if (count > 0) events[entity.name] = count;
  }
  // Two chains, each in registry order: the large entities one after another (each uses the
  // cores), the small ones beside them. Both end before anything goes on, so a failure in one
  // never leaves the other writing.
  const finished = new Map<Entity, PartitionParts>();
  const chain = async (entities: readonly Entity[]): Promise<void> => {
    for (const entity of entities) finished.set(entity, await finishEntity(entity));
  };
  const isSmall = (entity: Entity): boolean => (events[entity.name] ?? 0) < SMALL_ENTITY_ROWS;
  const chains = await Promise.allSettled([chain(deps.registry.entities.filter((e) => !isSmall(e))), chain(deps.registry.entities.filter(isSmall))]);
  for (const settled of chains) if (settled.status === 'rejected') throw settled.reason;
  const partitions = deps.registry.entities.map((entity) => finished.get(entity) as PartitionParts);
  const partition = partitionOf(QUARANTINE, manifest.hour);
  const dir = join(deps.scratchDir, finishScratch(partition));
  await mkdir(dir, { recursive: true });
  const quarantineFiles = outputs.flatMap((o) => (o.quarantine ? [o.quarantine] : []));
  partitions.push({ partition, parts: finishQuarantine(quarantineFiles, dir, manifest.targetFileBytes) });
  return { partitions, events, quarantined: quarantineFiles.reduce((n, f) => n + f.rows, 0) };
}
