/**
 * The lake as the Lake page shows it: per entity, its partitions (`entity/date=…/hour=…`) with
 * files, rows and bytes, and a warning on a partition of several small files (the original
 * pipeline's one-file-per-second problem, or files another writer left). Files and bytes come
 * from listing the lake itself (folder or bucket); rows from the run on this state that published
 * the file, when there is one.
 */
import { QUARANTINE } from '../pipeline/lake-layout.js';
import { formatLocation, parseLocation } from '../storage/location.js';
import { openObjectStore } from '../storage/object-store-registry.js';
import type { LakeView, PartitionView } from './api-views.js';
import type { Orchestrator } from './orchestrator.js';

/** Files below this size, more than one in a partition, are worth merging. */
export const SMALL_FILE_BYTES = 8 * 1024 * 1024;

const PARTITION = /^([^/]+)\/date=([^/]+)\/hour=([^/]+)\/[^/]+$/;

function readableSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function lakePartitions(orchestrator: Orchestrator, lakeAsWritten: string): Promise<LakeView> {
  const config = parseLocation(lakeAsWritten, 'lake');
  // Runs record the lake as formatLocation writes it (`lake/` and `./lake` are the same lake).
  const lake = formatLocation(config);
  const store = await openObjectStore(config);
  // Rows per file as the newest successful run that wrote it counted them.
  const rowsOf = new Map<string, { rows: number; bytes: number }>();
  for (const run of await orchestrator.state.runs.list({ lake, status: 'success' })) {
    for (const output of run.summary?.outputs ?? []) if (!rowsOf.has(output.key)) rowsOf.set(output.key, { rows: output.rows, bytes: output.bytes });
  }
  const partitions = new Map<string, { entity: string; date: string; hour: string; files: number; bytes: number; rows: number | null }>();
  for await (const object of store.list()) {
    const m = PARTITION.exec(object.key);
    // Tables whose names start with `_` are eventlake's own (staging, leases, manifests); the quarantine is shown.
    if (!m || ((m[1] as string).startsWith('_') && m[1] !== QUARANTINE)) continue;
    const [, entity, date, hour] = m as unknown as [string, string, string, string];
    const key = `${entity}/date=${date}/hour=${hour}`;
    const partition = partitions.get(key) ?? { entity, date, hour, files: 0, bytes: 0, rows: 0 };
    const written = rowsOf.get(object.key);
    // Another size than the run wrote: someone replaced the file since, its rows are unknown.
    const rows = written?.bytes === object.size ? written.rows : undefined;
    partitions.set(key, {
      ...partition,
      files: partition.files + 1,
      bytes: partition.bytes + object.size,
      rows: partition.rows === null || rows === undefined ? null : partition.rows + rows,
    });
  }
  const entities = new Map<string, PartitionView[]>();
  for (const [key, p] of partitions) {
    const average = p.bytes / p.files;
    const view: PartitionView = {
      partition: key,
      date: p.date,
      hour: p.hour,
      files: p.files,
      rows: p.rows,
      bytes: p.bytes,
      ...(p.files > 1 && average < SMALL_FILE_BYTES
        ? { warning: `${p.files} files averaging ${readableSize(average)}: small files slow every query; a rerun of the hour merges them` }
        : {}),
    };
    entities.set(p.entity, [...(entities.get(p.entity) ?? []), view]);
  }
  return {
    lake,
    entities: [...entities]
      // The entities by name, the quarantine after them.
      .sort(([a], [b]) => Number(a === QUARANTINE) - Number(b === QUARANTINE) || a.localeCompare(b))
      .map(([entity, list]) => {
        const sorted = list.sort((a, b) => b.partition.localeCompare(a.partition));
        return {
          entity,
          ...(entity === QUARANTINE ? { quarantine: true as const } : {}),
          files: sorted.reduce((n, p) => n + p.files, 0),
          bytes: sorted.reduce((n, p) => n + p.bytes, 0),
          // One partition of unknown rows leaves the others' count standing, and says how many it leaves out.
          rows: sorted.reduce((n, p) => n + (p.rows ?? 0), 0),
          uncounted: sorted.filter((p) => p.rows === null).length,
          partitions: sorted,
        };
      }),
  };
}
