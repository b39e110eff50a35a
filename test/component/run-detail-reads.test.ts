/**
 * The application layer's reads of runs, against states made by really running hours with the
 * CLI: a run's detail (tasks, attempts, retries in its log, quarantined lines), its timeline
 * (including an event whose device clock is a month off), dead letters inspected (a task's and
 * a finish's), and what they answer once a rerun replaced the run's files or a file was removed.
 */
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterDetail } from '../../src/app/dead-letter-detail.js';
import { Orchestrator } from '../../src/app/orchestrator.js';
import { runDetail } from '../../src/app/run-detail.js';
import { runTimeline } from '../../src/app/run-timeline.js';
import { UserError } from '../../src/errors/user-error.js';
import { runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { runsIn, testSettings } from '../helpers/in-process.js';

const BAD_LINES = 250;
const ODD_CLOCK = '2019-05-01T03:04:05.000Z';
const FAST_RETRIES = { EVENTLAKE_RETRIES_DELAY: '50ms', EVENTLAKE_RETRIES_COUNT: '1' };

let source: string;
let badObject: string;
const opened: Orchestrator[] = [];

async function open(state: string): Promise<Orchestrator> {
  const orchestrator = await Orchestrator.open(testSettings(state));
  opened.push(orchestrator);
  return orchestrator;
}

async function runInto(lake: string, state: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat', '--workers', '1'], undefined, { ...FAST_RETRIES, ...env });
}

beforeAll(async () => {
  source = await tempDir();
  // 30 vehicles: about 12 MB of source, three tasks.
  expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '30'])).code).toBe(0);
  badObject = '2019-06-01-15-7-7-events.json';
  const bad = Array.from({ length: BAD_LINES }, (_, i) => (i % 2 === 0 ? `not json ${i}` : `{"event": "update", "on": "vehicle", "cut": ${i}`));
  const oddClock = JSON.stringify({ event: 'update', on: 'vehicle', at: ODD_CLOCK, data: { id: 'clock-off', location: { lat: 52.5, lng: 13.4, at: ODD_CLOCK } }, organization_id: 'org-id' });
  await appendFile(join(source, badObject), `${bad.join('\n')}\n${oddClock}\n`);
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
});

describe('a run that succeeded after a retry, with quarantined lines and an event from a wrong clock', () => {
  let lake: string;
  let state: string;
  let runId: string;

  beforeAll(async () => {
    lake = await tempDir();
    state = `${lake}-state`;
    const result = await runInto(lake, state, { EVENTLAKE_FAIL_TASK: 't00001:1' });
    expect(result.code).toBe(0);
    runId = ((await runsIn(state))[0] as { id: string }).id;
  }, 60_000);

  it('tells its tasks, the failed attempt, counts per entity, the first 200 quarantined lines and a time-ordered log', async () => {
    const detail = await runDetail(await open(state), runId);
    expect(detail?.run).toMatchObject({ id: runId, status: 'success', source, lake, format: 'parquet', quarantined: BAD_LINES, tasks: { done: 3, total: 3 } });
    if (!detail) return;
    expect(detail.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      ['t00000', 'done', 1],
      ['t00001', 'done', 2],
      ['t00002', 'done', 1],
    ]);
    // Done in the end: the task shows no error; its failed first attempt keeps it.
    expect(detail.tasks[1]?.error).toBeUndefined();
    expect(detail.tasks.reduce((n, t) => n + t.objects, 0)).toBe(3600);
    const failed = detail.attempts.filter((a) => a.outcome === 'error');
    expect(failed).toEqual([expect.objectContaining({ kind: 'task', taskId: 't00001', attempt: 1, error: expect.stringMatching(/failed on purpose/) })]);
    expect(detail.attempts.filter((a) => a.kind === 'finish')).toEqual([expect.objectContaining({ outcome: 'ok' })]);

    expect(detail.entities.map((e) => e.entity)).toEqual(['operating_period', 'vehicle']);
    for (const entity of detail.entities) expect(entity.rows).toBe(detail.run.events?.[entity.entity]);

    expect(detail.quarantine.total).toBe(BAD_LINES);
    expect(detail.quarantine.lines).toHaveLength(200);
    const first = detail.quarantine.lines[0];
    expect(first).toMatchObject({ source_object: badObject, raw: 'not json 0', reason: expect.stringMatching(/JSON/i) });
    expect(detail.quarantine.lines[1]).toMatchObject({ raw: '{"event": "update", "on": "vehicle", "cut": 1', source_line: (first?.source_line ?? 0) + 1 });
    expect(detail.quarantine.lines.at(-1)?.raw).toBe('{"event": "update", "on": "vehicle", "cut": 199');

    const messages = detail.log.map((l) => l.message);
    expect(messages[0]).toBe('queued (run)');
    expect(messages).toContain('task t00001 attempt 1 failed: task t00001 failed on purpose (EVENTLAKE_FAIL_TASK, attempt 1)');
    expect(detail.log.find((l) => l.message.startsWith('task t00001 attempt 1 failed'))?.level).toBe('error');
    expect(messages.at(-1)).toMatch(/^success: /);
    const times = detail.log.map((l) => l.at);
    expect(times).toEqual([...times].sort());
  });

  it('counts events per minute over the hour, and leaves the event a month off out of the chart, counted as omitted', async () => {
    const orchestrator = await open(state);
    const timeline = await runTimeline(orchestrator, runId);
    const detail = await runDetail(orchestrator, runId);
    expect(timeline?.minutes).toHaveLength(60);
    expect(timeline?.minutes[0]).toBe('2019-06-01T15:00:00Z');
    expect(timeline?.minutes[7]).toBe('2019-06-01T15:07:00Z');
    expect(timeline?.minutes.at(-1)).toBe('2019-06-01T15:59:00Z');
    expect(timeline?.series.map((s) => s.entity)).toEqual(['operating_period', 'vehicle']);
    const shown = (entity: string): number => timeline?.series.find((s) => s.entity === entity)?.counts.reduce((a, b) => a + b, 0) ?? -1;
    expect(shown('operating_period')).toBe(detail?.run.events?.['operating_period']);
    expect(shown('vehicle')).toBe((detail?.run.events?.['vehicle'] ?? 0) - 1);
    expect(timeline?.omitted).toBe(1);
  });

  it('answers undefined for ids no run has, hostile ones included', async () => {
    const orchestrator = await open(state);
    for (const id of ['', 'nope', `${SAMPLE_HOUR}-00000000`, "x' OR '1'='1", '../../etc/passwd', '\u0000', 'ä'.repeat(5000)]) {
      expect(await runDetail(orchestrator, id)).toBeUndefined();
      expect(await runTimeline(orchestrator, id)).toBeUndefined();
    }
  });

  it('still answers when its quarantine file was removed from the lake, saying so in its log', async () => {
    const orchestrator = await open(state);
    const quarantineDir = join(lake, '_quarantine/date=2019-06-01/hour=15');
    const file = join(quarantineDir, 'part-00000.jsonl');
    await rename(file, `${file}.moved`);
    try {
      const detail = await runDetail(orchestrator, runId);
      expect(detail?.quarantine).toEqual({ total: BAD_LINES, lines: [] });
      expect(detail?.log).toContainEqual({ at: expect.any(String), level: 'warn', message: expect.stringMatching(/^quarantine file _quarantine\/date=2019-06-01\/hour=15\/part-00000\.jsonl could not be read: ENOENT/) });
      // Damaged by hand: the lines before the damage, and the note.
      await writeFile(file, `${JSON.stringify({ source_object: 'a', source_line: 1, reason: 'r', raw: 'x' })}\n{cut\n`);
      const damaged = await runDetail(orchestrator, runId);
      expect(damaged?.quarantine.lines).toEqual([{ source_object: 'a', source_line: 1, reason: 'r', raw: 'x' }]);
      expect(damaged?.log.some((l) => l.level === 'warn' && l.message.includes('could not be read'))).toBe(true);
    } finally {
      await rename(`${file}.moved`, file);
    }
  });

  it('once a rerun of the hour replaced its files: no timeline and no quarantined lines of the other run, said in one sentence', async () => {
    const rerun = await runInto(lake, state);
    expect(rerun.code).toBe(0);
    const orchestrator = await open(state);
    const [newer] = (await runsIn(state)).reverse();
    expect(newer?.id).not.toBe(runId);
    await expect(runTimeline(orchestrator, runId)).rejects.toThrow(new UserError(`run ${runId}'s files were replaced by run ${newer?.id ?? ''} of the same hour: its timeline shows the hour as the lake holds it now`));
    const old = await runDetail(orchestrator, runId);
    expect(old?.quarantine).toEqual({ total: BAD_LINES, lines: [] });
    expect(old?.log).toContainEqual(expect.objectContaining({ level: 'warn', message: `quarantined lines not shown: run ${newer?.id ?? ''} replaced the hour's files in the lake since` }));
    // The newer run reads as its own.
    const current = await runDetail(orchestrator, newer?.id ?? '');
    expect(current?.quarantine.lines).toHaveLength(200);
    expect((await runTimeline(orchestrator, newer?.id ?? ''))?.omitted).toBe(1);
  });
});

describe('dead letters', () => {
  it("of a task: its run failed, the task dead with its error, and the letter names the task's source objects", async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const result = await runInto(lake, state, { EVENTLAKE_FAIL_TASK: 't00001' });
    expect(result.code).toBe(1);
    const orchestrator = await open(state);
    const [run] = await runsIn(state);
    const detail = await runDetail(orchestrator, run?.id ?? '');
    expect(detail?.run.status).toBe('failed');
    expect(detail?.run.error).toMatch(/task t00001 failed 2 times/);
    const dead = detail?.tasks.find((t) => t.id === 't00001');
    expect(dead).toMatchObject({ status: 'dead', attempts: 2, error: expect.stringMatching(/failed on purpose/) });
    expect(detail?.log.at(-1)).toEqual({ at: expect.any(String), level: 'error', message: `failure: ${detail?.run.error ?? ''}` });
    await expect(runTimeline(orchestrator, run?.id ?? '')).rejects.toThrow(/is failed: its timeline is counted from the files it publishes, once it succeeds/);

    const [letter] = await orchestrator.state.queue.deadLetters();
    const inspected = await deadLetterDetail(orchestrator, letter?.id ?? -1);
    expect(inspected?.deadLetter).toMatchObject({ id: letter?.id, runId: run?.id, kind: 'task', taskId: 't00001', attempts: 2 });
    expect(inspected?.run).toMatchObject({ id: run?.id, status: 'failed' });
    const manifest = await orchestrator.state.runs.manifest(run?.id ?? '');
    const task = manifest?.tasks.find((t) => t.id === 't00001');
    expect(inspected?.objects).toEqual(task?.objects.map((o) => ({ key: o.key, size: o.size })));
    expect(inspected?.objects.length).toBe(dead?.objects);
    for (const id of [0, -1, 424242, Number.NaN, 1.5]) expect(await deadLetterDetail(orchestrator, id)).toBeUndefined();
  }, 60_000);

  it("of a finish: the letter names every source object of the run", async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    // A file where the vehicle table's folder should be: publishing fails, tasks do not.
    await writeFile(join(lake, 'vehicle'), 'in the way');
    expect((await runInto(lake, state)).code).toBe(1);
    const orchestrator = await open(state);
    const [letter] = await orchestrator.state.queue.deadLetters();
    expect(letter?.kind).toBe('finish');
    const inspected = await deadLetterDetail(orchestrator, letter?.id ?? -1);
    expect(inspected?.deadLetter).toMatchObject({ kind: 'finish', error: expect.stringMatching(/ENOTDIR/) });
    expect(inspected?.deadLetter.taskId).toBeUndefined();
    expect(inspected?.objects).toHaveLength(3600);
    expect(new Set(inspected?.objects.map((o) => o.key)).size).toBe(3600);
    const detail = await runDetail(orchestrator, letter?.runId ?? '');
    expect(detail?.tasks.every((t) => t.status === 'done')).toBe(true);
    expect(detail?.attempts.filter((a) => a.kind === 'finish').map((a) => a.outcome)).toEqual(['error', 'error']);
    // The retry says why, the end says how it ended.
    expect(detail?.log.find((l) => l.message.startsWith('retry'))).toMatchObject({ level: 'warn', message: expect.stringMatching(/^retry: stage finish, nextAttemptAt \S+ after: ENOTDIR: not a directory/) });
    expect(detail?.log.at(-1)?.message).toMatch(/^failure: finish-and-publish failed 2 times: ENOTDIR/);
  }, 60_000);
});
