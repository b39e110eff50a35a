/**
 * `eventlake dlq list|show|replay --queue-url`: the cloud task queue's dead letters on SQS (a
 * mocked SQS: a real HTTP server on loopback, the real SDK; no SQS can run here), the runs'
 * records in a real S3 API (s3rver on loopback), the CLI in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLakeRun } from '../../src/orchestration/lake/lake-run-records.js';
import { parseHour, type Hour } from '../../src/pipeline/hour.js';
import { taskMessageBody } from '../../src/runtime/lambda/task-message.js';
import { parseLocation } from '../../src/storage/location.js';
import { openObjectStore } from '../../src/storage/object-store-registry.js';
import { planLocalHour, recordQueuedRun } from '../helpers/cloud-runs.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { MockedSqsQueues } from '../helpers/mocked-sqs-queues.js';
import { writeSmallHour } from '../helpers/processes.js';
import { useS3Server } from '../helpers/s3-server.js';

const hour = parseHour('2019-06-01T15') as Hour;
// The lake bucket, its environment applied around each test.
useS3Server(['lake']);
const sqs = new MockedSqsQueues();
beforeAll(() => sqs.start());
afterAll(() => sqs.stop());

async function queuedRunInS3() {
  const source = await tempDir();
  await writeSmallHour(source, hour.label, 6, 400);
  const manifest = await planLocalHour(source, hour, 64 * 1024);
  const lake = await openObjectStore(parseLocation('s3://lake/', 'lake'));
  await recordQueuedRun(lake, manifest);
  return { manifest, lake };
}

describe('eventlake dlq on SQS (mocked SQS, s3rver)', () => {
  it('list shows the dead letters decoded and leaves them on the queue; a run still queued is marked failed; show gives one; replay sends it back and queues its run again', async () => {
    const { manifest, lake } = await queuedRunInS3();
    expect(manifest.tasks.length).toBeGreaterThan(1);
    const dlq = sqs.queueUrl('eventlake-tasks-dlq');
    const tasks = sqs.queueUrl('eventlake-tasks');
    sqs.sources.set(dlq, [tasks]);
    const id = sqs.put(dlq, taskMessageBody(manifest.runId, 't00001'), 3);
    sqs.put(dlq, '{"version":1,"task":{}}', 3);
    const env = { AWS_ENDPOINT_URL_SQS: sqs.url, EVENTLAKE_DLQ_URL: dlq };
    const state = ['--state', await tempDir()];

    const listed = await runCli(['dlq', 'list', '--lake', 's3://lake/', '--json', ...state], undefined, env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout) as { deadLetters: { id: string; task?: unknown; invalid?: string; receiveCount: number; run?: { status: string; error?: string } }[]; failedRuns: string[] };
    expect(json.deadLetters).toHaveLength(2);
    const letter = json.deadLetters.find((d) => d.id === id);
    expect(letter).toMatchObject({ task: { runId: manifest.runId, taskId: 't00001' }, receiveCount: 4, run: { status: 'failed' } });
    expect(letter?.run?.error).toBe(`task t00001 was dead-lettered (in ${dlq}); eventlake dlq replay ${id} runs it again`);
    expect(json.deadLetters.find((d) => d.id !== id)?.invalid).toContain('version 1');
    expect(json.failedRuns).toEqual([manifest.runId]);
    expect((await readLakeRun(lake, hour.label, manifest.runId))?.status).toBe('failed');
    // Read, not taken: both are still there and visible again at once.
    expect(sqs.messages(dlq).map((m) => m.visibleAt <= Date.now())).toEqual([true, true]);
    expect(sqs.actions()).toContain('ChangeMessageVisibilityBatch');

    const text = await runCli(['dlq', 'list', '--lake', 's3://lake/', ...state], undefined, env);
    expect(text.stdout).toContain(`${id}  ${manifest.runId}  t00001`);
    expect(text.stdout).toContain('not an eventlake task');

    const shown = await runCli(['dlq', 'show', id, '--lake', 's3://lake/', ...state], undefined, env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`body: ${taskMessageBody(manifest.runId, 't00001')}`);

    const replayed = await runCli(['dlq', 'replay', id, '--lake', 's3://lake/', ...state], undefined, env);
    expect(replayed.stderr).toBe('');
    expect(replayed.stdout.trim()).toBe(`dead letter ${id} (task t00001 of run ${manifest.runId}) sent again to ${tasks} and deleted from ${dlq}; run ${manifest.runId} is queued again`);
    expect(sqs.messages(tasks).map((m) => m.body)).toEqual([taskMessageBody(manifest.runId, 't00001')]);
    expect(sqs.messages(dlq).map((m) => m.id)).not.toContain(id);
    expect(sqs.messages(dlq)).toHaveLength(1);
    const reopened = await readLakeRun(lake, hour.label, manifest.runId);
    expect(reopened).toMatchObject({ status: 'queued', note: expect.stringContaining('queued again to replay t00001') as string });
    expect(reopened).not.toHaveProperty('error');

    // Gone from the dead letters: a second replay names it missing, in one sentence.
    const again = await runCli(['dlq', 'replay', id, '--lake', 's3://lake/', ...state], undefined, env);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toBe(`eventlake: no dead letter ${id} in ${dlq} (eventlake dlq list --queue-url ${dlq} shows them)`);
  });

  it('the local dead letters are unchanged without --queue-url; a message id needs it, and SQS takes no number', async () => {
    const state = ['--state', await tempDir()];
    const none = await runCli(['dlq', 'list', ...state], undefined, {});
    // The local queue, as before: this state folder has none yet.
    expect(none.stderr).toContain('eventlake: no eventlake state in');
    const uuid = '0b6f3c1e-6f35-4c64-9a73-2f7c1f0d9e11';
    const local = await runCli(['dlq', 'show', uuid, ...state], undefined, {});
    expect(local.stderr.trim()).toBe(`eventlake: ${uuid} is an SQS message id: add --queue-url (or set EVENTLAKE_DLQ_URL) for the cloud's dead letters`);
    const numbered = await runCli(['dlq', 'show', '3', '--queue-url', sqs.queueUrl('q-dlq'), ...state], undefined, { AWS_ENDPOINT_URL_SQS: sqs.url });
    expect(numbered.stderr.trim()).toBe('eventlake: a dead letter on SQS is named by its message id, not 3 (eventlake dlq list --queue-url … shows them)');
  });
});
