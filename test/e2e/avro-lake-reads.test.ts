/**
 * An Avro lake read back by eventlake itself: the run timeline counts its files (avsc), and the
 * warehouse loads them, snappy blocks included (their CRC-32 checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { ask, runEnded, startServed, type Served } from '../helpers/served-cli.js';

for (const codec of ['snappy', 'deflate']) {
  describe(`an Avro lake written with ${codec}`, () => {
    let served: Served;
    let runId: string;

    beforeAll(async () => {
      const source = await tempDir();
      const lake = await tempDir();
      expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '10'])).code).toBe(0);
      served = await startServed('serve', ['--source', source, '--lake', lake, '--state', `${lake}-state`, '--layout', 'flat', '--format', 'avro', '--codec', codec, '--workers', '1']);
      runId = (await ask(served.url, '/api/runs', { body: { hour: SAMPLE_HOUR } })).json.id as string;
      expect(await runEnded(served.url, runId)).toMatchObject({ status: 'success' });
    }, 120_000);

    afterAll(async () => {
      await served?.stop();
    });

    it('has a timeline adding up to its rows', async () => {
      const detail = (await ask(served.url, `/api/runs/${runId}`)).json;
      expect(detail.run.format).toBe('avro');
      const timeline = (await ask(served.url, `/api/runs/${runId}/timeline`)).json;
      expect(timeline.series.map((s: { entity: string }) => s.entity)).toEqual(['operating_period', 'vehicle']);
      for (const series of timeline.series) expect(series.counts.reduce((a: number, b: number) => a + b, 0)).toBe(detail.run.events[series.entity]);
    });

    it('loads into the warehouse, every row', async () => {
      const built = await ask(served.url, '/api/warehouse/build', { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(built.status).toBe(200);
      const detail = (await ask(served.url, `/api/runs/${runId}`)).json;
      const rows = (await ask(served.url, '/api/sql', { body: { sql: 'SELECT count(*) AS n FROM lake.vehicle' } })).json;
      expect(Number(rows.rows[0].n)).toBe(detail.run.events.vehicle);
    });
  });
}
