/**
 * `POST /api/dlq/<id>/replay` against a real `eventlake serve`: a dead letter whose run a newer
 * run of the hour has replaced is refused (409) with the sentence naming the newer run, and the
 * lake keeps the newer rows (issue 20 item 6, through the API).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { query, runCli, SAMPLE_HOUR, tempDir, writeObject } from '../helpers/fixtures.js';
import { runsIn } from '../helpers/in-process.js';
import { ask, startServed, type Served } from '../helpers/served-cli.js';

const servers: Served[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const line = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T15:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org-id' });

describe('the dead letters API', () => {
  it('answers 409 to the replay of a run a newer run of its hour has replaced, naming it; the lake keeps the newer rows', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = `${lake}-state`;
    for (let s = 0; s < 5; s++) await writeObject(source, `2019-06-01-15-1-${s}-events.json`, `${line(`a${s}`)}\n${line(`b${s}`)}\n`);
    const args = ['--source', source, '--lake', lake, '--state', state, '--workers', '1'];
    const failing = await runCli(['trigger', ...args, '--hour', SAMPLE_HOUR], undefined, { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '1', EVENTLAKE_FAIL_TASK: 't00000' });
    expect(failing.code).toBe(1);
    await writeObject(source, '2019-06-01-15-50-0-events.json', `${Array.from({ length: 8 }, (_, i) => line(`late${i}`)).join('\n')}\n`);
    expect((await runCli(['run', ...args, '--hour', SAMPLE_HOUR])).code).toBe(0);
    const [dead, newer] = await runsIn(state);

    const served = await startServed('serve', args, { EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
    servers.push(served);
    const replay = await ask(served.url, '/api/dlq/1/replay', { body: {} });
    expect(replay.status).toBe(409);
    expect(replay.json.error).toBe(
      `dead letter 1 was not replayed: its run ${dead?.id} is older than run ${newer?.id}, which published hour ${SAMPLE_HOUR} since (at ${newer?.finishedAt}), and replaying it would put the older data back; eventlake run --hour ${SAMPLE_HOUR} reads the hour's sources again if they changed`,
    );
    expect((await ask(served.url, `/api/runs/${dead?.id}`)).json).toMatchObject({ run: { status: 'failed' } });
    expect(await query(`SELECT count(*) AS n FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ n: '18' }]);
  });
});
