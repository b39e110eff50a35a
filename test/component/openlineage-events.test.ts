/**
 * Every OpenLineage event eventlake writes — the runs of an hour (one that succeeds, one that
 * fails), a warehouse build and a build that fails — is valid against the official spec 2-0-2
 * schema and its facets' schemas (vendored, no network), and the events link up as a consumer
 * such as Marquez needs: START then COMPLETE or FAIL per run id, the lake datasets an hour run
 * wrote are the ones the build read, and every model reads what the load or another model wrote.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { openLineageValidator } from '../helpers/openlineage-validator.js';

interface Dataset {
  namespace: string;
  name: string;
  inputFacets?: Record<string, Record<string, unknown>>;
  outputFacets?: Record<string, Record<string, unknown>>;
}
interface Event {
  eventType: string;
  eventTime: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, Record<string, unknown>> };
  job: { namespace: string; name: string };
  inputs: Dataset[];
  outputs: Dataset[];
}

const key = (d: Dataset): string => `${d.namespace} ${d.name}`;

async function eventsIn(state: string): Promise<Event[]> {
  const files = (await listFiles(join(state, 'lineage'))).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as Event));
}

describe('OpenLineage events', () => {
  it('of a run, a failed run, a build and a failed build are valid against spec 2-0-2 and link the lake to the warehouse', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const where = ['--source', SAMPLE, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR];
    expect((await runCli(['run', ...where])).code).toBe(0);
    expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(0);
    // Nothing changed: a build run with no steps (nothing was loaded, no model rebuilt).
    expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(0);
    // The same hour again, failing for good: a FAIL with the reason, and nothing published.
    const failing = await runCli(['run', ...where, '--workers', '1'], undefined, { EVENTLAKE_FAIL_TASK: 't00000', EVENTLAKE_RETRIES_COUNT: '0' });
    expect(failing.code).toBe(1);
    // A build that cannot read a partition of the lake fails: a FAIL for the build.
    await mkdir(join(lake, 'vehicle', 'date=2019-06-02', 'hour=00'), { recursive: true });
    await writeFile(join(lake, 'vehicle', 'date=2019-06-02', 'hour=00', 'part-00000.parquet'), 'not parquet');
    expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(1);

    const events = await eventsIn(state);
    const validator = openLineageValidator();
    for (const event of events) expect(validator.problems(event), `${event.job.name} ${event.eventType}`).toEqual([]);
    for (const event of events) expect(event.schemaURL).toBe('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');

    // Per run id: one START first, then exactly one COMPLETE or FAIL, all of one job.
    const runs = new Map<string, Event[]>();
    for (const event of events) runs.set(event.run.runId, [...(runs.get(event.run.runId) ?? []), event]);
    for (const [runId, ofRun] of runs) {
      expect(ofRun.map((e) => e.eventType), runId).toEqual(['START', expect.stringMatching(/^(COMPLETE|FAIL)$/) as unknown]);
      expect(new Set(ofRun.map((e) => e.job.name)).size).toBe(1);
      expect(Date.parse(ofRun[0]?.eventTime ?? '')).toBeLessThanOrEqual(Date.parse(ofRun[1]?.eventTime ?? ''));
    }
    const ended = (job: string, type: string): Event[] => events.filter((e) => e.job.name === job && e.eventType === type);

    // The hour: its source in, the lake entities out (with the partition written), then the failed rerun.
    const [hour] = ended('hour', 'COMPLETE');
    const lakeDatasets = [
      { namespace: 'file', name: join(lake, 'operating_period') },
      { namespace: 'file', name: join(lake, 'vehicle') },
    ];
    expect(hour?.inputs).toEqual([{ namespace: 'file', name: SAMPLE }]);
    expect(hour?.outputs.map((o) => ({ namespace: o.namespace, name: o.name })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(lakeDatasets);
    expect(hour?.outputs.find((o) => o.name.endsWith('/vehicle'))?.outputFacets).toMatchObject({
      outputStatistics: { rowCount: 35349, fileCount: 1 },
      eventlake_partitions: { partitions: ['date=2019-06-01/hour=15'] },
    });
    expect(hour?.run.facets).toMatchObject({
      nominalTime: { nominalStartTime: '2019-06-01T15:00:00.000Z', nominalEndTime: '2019-06-01T16:00:00.000Z' },
      eventlake_hour: { hour: SAMPLE_HOUR, objects: 721, events: { vehicle: 35349, operating_period: 2 } },
    });
    const [failed] = ended('hour', 'FAIL');
    expect(failed?.run.facets?.['errorMessage']?.['message']).toMatch(/task t00000 failed 1 time: task t00000 failed on purpose/);
    expect(failed?.outputs).toEqual([]);
    expect(failed?.run.runId).not.toBe(hour?.run.runId);

    // The builds: START and COMPLETE, the first one's steps under it (parent facet), the second with none, the failure later.
    const [build, unchanged] = ended('warehouse.build', 'COMPLETE');
    const steps = events.filter((e) => e.run.facets?.['parent'] !== undefined);
    expect(steps.length).toBeGreaterThan(2);
    for (const step of steps) expect(step.run.facets?.['parent']).toMatchObject({ run: { runId: build?.run.runId }, job: { namespace: 'eventlake', name: 'warehouse.build' } });
    expect(unchanged?.run.facets?.['eventlake_warehouse']).toMatchObject({ step: 'build', partitionsLoaded: 0, partitionsRemoved: 0 });
    expect(ended('warehouse.build', 'FAIL')).toHaveLength(1);
    expect(ended('warehouse.build', 'FAIL')[0]?.run.facets?.['errorMessage']?.['message']).toEqual(expect.any(String));

    // The lake datasets the hour wrote are, by namespace and name, the ones the load read.
    const [load] = ended('warehouse.load', 'COMPLETE');
    expect(load?.inputs.map(key).sort()).toEqual(lakeDatasets.map(key));
    expect(load?.inputs.find((i) => i.name.endsWith('/vehicle'))?.inputFacets?.['eventlake_partitions']).toMatchObject({ partitions: ['date=2019-06-01/hour=15'], removed: [] });
    // Every model reads tables the load or an earlier model wrote, so the graph is connected end to end.
    expect(load?.outputs.map((o) => o.name).sort()).toEqual(['warehouse.main.operating_period', 'warehouse.main.vehicle']);
    const written = new Set(load?.outputs.map(key));
    const models = events.filter((e) => e.job.name.startsWith('warehouse.') && e.eventType === 'COMPLETE' && !['warehouse.build', 'warehouse.load'].includes(e.job.name));
    expect(models.map((m) => m.job.name)).toContain('warehouse.bi_avg_distance');
    for (const model of models) {
      for (const input of model.inputs) expect(written.has(key(input)), `${model.job.name} reads ${input.name}`).toBe(true);
      for (const output of model.outputs) written.add(key(output));
    }
    const answer = models.find((m) => m.job.name === 'warehouse.bi_avg_distance');
    expect(answer?.outputs.map((o) => o.name)).toEqual(['warehouse.main.bi_avg_distance']);
    expect(answer?.outputs[0]?.namespace).toBe(`duckdb://${join(state, 'warehouse.duckdb')}`);
    // eventlake's own facets were among those checked against their own schemas.
    const used = new Set(events.flatMap((e) => [e.run.facets, ...e.inputs.map((i) => i.inputFacets), ...e.outputs.map((o) => o.outputFacets)]).flatMap((f) => Object.values(f ?? {}).map((x) => String(x['_schemaURL']).split('#')[0])));
    for (const own of validator.ownSchemas) expect(used.has(own), own).toBe(true);
  });
});
