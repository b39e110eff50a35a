/**
 * The finish stage's order of work, through a recording LakeFormat (the format port): which
 * entity's finish runs beside which. The formats' own finishes are tested on real files elsewhere.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import type { FinishOptions, LakeFormat, PartFile } from '../../src/formats/lake-format.js';
import { finishPartitions, SMALL_ENTITY_ROWS } from '../../src/pipeline/finish-partitions.js';
import type { RunManifest, TaskOutput } from '../../src/pipeline/run-manifest.js';
import { tempDir } from '../helpers/fixtures.js';

const hour = { date: '2019-06-01', hour: '15', label: '2019-06-01T15' };

function manifest(): RunManifest {
  return {
    runId: 'r1',
    source: { kind: 'local', root: '/nowhere' },
    format: 'parquet',
    codec: 'zstd',
    targetFileBytes: 1 << 20,
    maxLineBytes: 1 << 20,
    hour,
    partitionKey: hour.label,
    sourceLocation: '/nowhere',
    objects: 2,
    bytes: 2,
    skipped: [],
    tasks: [],
  };
}

function output(taskId: string, rows: Record<string, number>): TaskOutput {
  const tables = Object.fromEntries(Object.entries(rows).map(([entity, n]) => [entity, [{ path: `/staged/${taskId}/${entity}.csv`, rows: n }]]));
  return { taskId, objects: 1, events: rows, tables, quarantine: undefined };
}

/** A format whose finish waits until `release(entity)` is called, recording when each began. */
function gatedFormat(): { format: LakeFormat; started: string[]; release: (entity: string) => void; begun: (entity: string) => Promise<void> } {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const waiting = new Map<string, () => void>();
  const format: LakeFormat = {
    name: 'parquet',
    extension: 'parquet',
    codecs: ['zstd'],
    createPartWriter: () => {
      throw new Error('not used');
    },
    async finish(options: FinishOptions): Promise<PartFile[]> {
      started.push(options.entity.name);
      waiting.get(options.entity.name)?.();
      await new Promise<void>((resolve) => gates.set(options.entity.name, resolve));
      const rows = options.written.reduce((n, w) => n + w.rows, 0);
      return rows === 0 ? [] : [{ path: join(options.partitionDir, 'part-00000.parquet'), rows, bytes: 1 }];
    },
    countPerMinute: () => Promise.resolve(new Map()),
  };
  const release = (entity: string): void => {
    const gate = gates.get(entity);
    if (!gate) throw new Error(`${entity} has not started`);
    gate();
  };
  const begun = (entity: string): Promise<void> =>
    started.includes(entity) ? Promise.resolve() : new Promise((resolve) => waiting.set(entity, resolve));
  return { format, started, release, begun };
}

describe('finishPartitions', () => {
  it('finishes a small entity beside a large one, not after it, and reports both in registry order', async () => {
    const scratchDir = await tempDir();
    const { format, started, release, begun } = gatedFormat();
    const outputs = [output('t00001', { vehicle: SMALL_ENTITY_ROWS, operating_period: 2 }), output('t00000', { vehicle: 5, operating_period: 1 })];
    const finishing = finishPartitions(manifest(), outputs, { registry: defaultRegistry(), format, scratchDir });
    // The small entity starts while the large one is still being written.
    await begun('vehicle');
    await begun('operating_period');
    expect(started).toEqual(['vehicle', 'operating_period']);
    release('operating_period');
    release('vehicle');
    const finished = await finishing;
    expect(finished.partitions.map((p) => p.partition)).toEqual([
      'vehicle/date=2019-06-01/hour=15',
      'operating_period/date=2019-06-01/hour=15',
      '_quarantine/date=2019-06-01/hour=15',
    ]);
    expect(finished.partitions.map((p) => p.parts.map((part) => part.rows))).toEqual([[SMALL_ENTITY_ROWS + 5], [3], []]);
    expect(finished.events).toEqual({ vehicle: SMALL_ENTITY_ROWS + 5, operating_period: 3 });
  });

  it('finishes large entities one after another (each uses the cores)', async () => {
    const scratchDir = await tempDir();
    const { format, started, release, begun } = gatedFormat();
    const outputs = [output('t00000', { vehicle: SMALL_ENTITY_ROWS, operating_period: SMALL_ENTITY_ROWS })];
    const finishing = finishPartitions(manifest(), outputs, { registry: defaultRegistry(), format, scratchDir });
    await begun('vehicle');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual(['vehicle']);
    release('vehicle');
    await begun('operating_period');
    release('operating_period');
    await finishing;
    expect(started).toEqual(['vehicle', 'operating_period']);
  });

  it('waits for the other chain before failing, so nothing is still writing', async () => {
    const scratchDir = await tempDir();
    let smallEnded = false;
    const format: LakeFormat = {
      ...gatedFormat().format,
      async finish(options) {
        if (options.entity.name === 'vehicle') throw new Error('disk full');
        await new Promise((resolve) => setTimeout(resolve, 50));
        smallEnded = true;
        return [];
      },
    };
    const outputs = [output('t00000', { vehicle: SMALL_ENTITY_ROWS, operating_period: 1 })];
    await expect(finishPartitions(manifest(), outputs, { registry: defaultRegistry(), format, scratchDir })).rejects.toThrow('disk full');
    expect(smallEnded).toBe(true);
  });
});
