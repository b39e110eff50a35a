/**
 * `eventlake fanout` as a person runs it, against a mock of SQS: a real HTTP server on loopback
 * speaking SQS's JSON protocol (SendMessageBatch only), reached through AWS_ENDPOINT_URL_SQS,
 * with the real AWS SDK in the built CLI signing and sending real requests to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLakeRuns } from '../../src/orchestration/lake/lake-run-records.js';
import { parseTaskMessage } from '../../src/runtime/lambda/task-message.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { runCli, tempDir } from '../helpers/fixtures.js';
import { writeSmallHour } from '../helpers/processes.js';
import { MockedSqsServer } from '../helpers/mocked-sqs-server.js';

/** Test-only values: not credentials of any account, and they must still never be printed. */
const FAKE_KEY_ID = 'AKIDEVENTLAKETESTONLY';
const FAKE_SECRET = 'eventlake-test-secret-not-a-credential';

const sqs = new MockedSqsServer();
beforeAll(() => sqs.start());
afterAll(() => sqs.stop());

/** The environment a deployment gives: region, endpoint and credentials, nothing from this machine's profiles. */
function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    EVENTLAKE_QUEUE_URL: '',
    ...extra,
  };
}

async function hour(): Promise<{ source: string; lake: string; cwd: string }> {
  const source = await tempDir();
  await writeSmallHour(source, '2019-06-01T15', 4, 5);
  return { source, lake: await tempDir(), cwd: await tempDir() };
}

describe('eventlake fanout (mocked SQS over HTTP)', () => {
  it('sends the hour\'s tasks to the queue named by --queue-url, records the run, and prints one JSON object', async () => {
    const { source, lake, cwd } = await hour();
    const queueUrl = `${sqs.url}/000000000000/eventlake-tasks`;
    const before = sqs.received.length;
    const result = await runCli(['fanout', '--hour', '2019-06-01T15', '--source', source, '--lake', lake, '--queue-url', queueUrl, '--format', 'avro', '--json'], cwd, awsEnv());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ hour: '2019-06-01T15', objects: 4, tasks: 1, messages: 1, calls: 1, retried: 0, skipped: 0, queueUrl });

    const calls = sqs.received.slice(before);
    expect(calls.map((c) => c.target)).toEqual(['AmazonSQS.SendMessageBatch']);
    expect(calls[0]?.body.QueueUrl).toBe(queueUrl);
    // Signed by the SDK with the environment's credentials, for the environment's region.
    expect(calls[0]?.headers.authorization).toMatch(new RegExp(`Credential=${FAKE_KEY_ID}/\\d{8}/eu-west-1/sqs/`));
    const message = parseTaskMessage(calls[0]?.body.Entries[0]?.MessageBody ?? '');
    expect(message).toEqual({ version: 2, runId: report['runId'], taskId: 't00000' });

    const [record] = await listLakeRuns(new LocalObjectStore(lake), '2019-06-01T15');
    expect(record).toMatchObject({ runId: report['runId'], status: 'queued', queue: queueUrl, manifest: { format: 'avro', codec: 'deflate' } });
    expect(record?.manifest.tasks[0]?.objects.map((o) => o.key)).toEqual([0, 1, 2, 3].map((s) => `2019-06-01-15-0-${s}-events.json`));
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_SECRET);
  });

  it('takes the queue from EVENTLAKE_QUEUE_URL and prints a one-line summary', async () => {
    const { source, lake, cwd } = await hour();
    const queueUrl = `${sqs.url}/000000000000/from-env`;
    const result = await runCli(['fanout', '--hour', '2019-06-01T15', '--source', source, '--lake', lake], cwd, awsEnv({ EVENTLAKE_QUEUE_URL: queueUrl }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^hour 2019-06-01T15: 4 objects \\(.+\\) sent as 1 task in 1 call to ${queueUrl} \\(run 2019-06-01T15-[0-9a-f]{8}\\)\\n$`));
    expect(sqs.received.at(-1)?.body.QueueUrl).toBe(queueUrl);
  });

  it('says in one sentence, without a stack trace, that the queue refused the messages, and marks the run failed', async () => {
    const { source, lake, cwd } = await hour();
    const queueUrl = `${sqs.url}/000000000000/missing`;
    const result = await runCli(['fanout', '--hour', '2019-06-01T15', '--source', source, '--lake', lake, '--queue-url', queueUrl], cwd, awsEnv());
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('eventlake:'));
    expect(errors).toEqual([`eventlake: 1 of 1 messages could not be sent to the queue ${queueUrl}; the first reason: QueueDoesNotExist: The specified queue does not exist.`]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain(FAKE_SECRET);
    const [record] = await listLakeRuns(new LocalObjectStore(lake), '2019-06-01T15');
    expect(record?.status).toBe('failed');
  });

  it('names the flag that is wrong or missing', async () => {
    const { source, lake, cwd } = await hour();
    const base = ['fanout', '--source', source, '--lake', lake];
    const missingQueue = await runCli([...base, '--hour', '2019-06-01T15'], cwd, awsEnv());
    // An empty EVENTLAKE_QUEUE_URL is a queue URL not given.
    expect(missingQueue.code).toBe(1);
    expect(missingQueue.stderr).toContain('eventlake: EVENTLAKE_QUEUE_URL is empty');
    const withoutQueue = awsEnv();
    delete withoutQueue['EVENTLAKE_QUEUE_URL'];
    const noQueue = await runCli([...base, '--hour', '2019-06-01T15'], cwd, withoutQueue);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain("required option '--queue-url <url>' not specified");
    const badQueue = await runCli([...base, '--hour', '2019-06-01T15', '--queue-url', 'eventlake-tasks'], cwd, awsEnv());
    expect(badQueue.code).toBe(1);
    expect(badQueue.stderr).toContain('eventlake: --queue-url eventlake-tasks is not a queue URL like https://sqs.');
    const badHour = await runCli([...base, '--hour', '2019-06-01', '--queue-url', `${sqs.url}/0/q`], cwd, awsEnv());
    expect(badHour.code).toBe(2);
    expect(badHour.stderr).toContain('--hour');
    const badLake = await runCli([...base.slice(0, 3), '--lake', 's3://A_B/x', '--hour', '2019-06-01T15', '--queue-url', `${sqs.url}/0/q`], cwd, awsEnv());
    // Checked as the flag is parsed: a usage error (exit 2) naming the flag.
    expect(badLake.code).toBe(2);
    expect(badLake.stderr).toContain('--lake s3://A_B/x does not name a bucket');
    const noObjects = await runCli([...base, '--hour', '2019-06-01T16', '--queue-url', `${sqs.url}/0/q`], cwd, awsEnv());
    expect(noObjects.code).toBe(1);
    expect(noObjects.stderr).toContain('eventlake: no source objects for hour 2019-06-01T16');
  });
});
