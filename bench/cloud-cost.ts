/**
 * `npm run bench:cloud`: what one hour of the cloud path asks of AWS, and costs, against the
 * seed's design for the same hour (issue 22 item 7). Generates an hour with `eventlake generate`
 * (cached under .bench/cloud-cost/), runs it through the bundled Lambda handler against s3rver and
 * a mock of SQS (cloud-cost-hour.ts), counts S3 requests by kind, SQS requests and messages,
 * invocations and GB-s, and prices both at us-east-1 list prices (cloud-cost-prices.ts). Needs no
 * AWS account. Not a test: the goal (≥ 10× fewer requests and invocations) is reported, not asserted.
 *
 *   npm run bench:cloud                        # a 1,000-vehicle hour
 *   npm run bench:cloud -- --vehicles 50 --json
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../infra/repo-root.js';
import type { CloudHour, CloudHourOptions } from './cloud-cost-hour.js';
import { costOf, HOURS_PER_MONTH, PRICES, PRICES_READ_ON, S3_KINDS, type HourCost, type HourUsage } from './cloud-cost-prices.js';
import { readHourInput, SEED_MODEL, seedUsage } from './cloud-cost-seed.js';

const USAGE = 'usage: npm run bench:cloud -- [--vehicles N] [--hour YYYY-MM-DDTHH] [--dir FOLDER] [--json]';

/** The flags, strictly: an unknown or misspelt flag stops the bench, naming it, instead of running on defaults. */
function readFlags(): { vehicles: number; hour: string; dir: string; json: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: { vehicles: { type: 'string' }, hour: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`bench:cloud: ${(err as Error).message.split('\n')[0] ?? ''}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const vehicles = Number(values.vehicles ?? '1000');
  if (!Number.isInteger(vehicles) || vehicles < 1) {
    process.stderr.write(`bench:cloud: --vehicles must be a whole number from 1 (got ${JSON.stringify(values.vehicles)})\n${USAGE}\n`);
    process.exit(2);
  }
  const hour = values.hour ?? '2019-06-01T00';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) {
    process.stderr.write(`bench:cloud: --hour must look like 2019-06-01T00 (got ${JSON.stringify(hour)})\n${USAGE}\n`);
    process.exit(2);
  }
  return { vehicles, hour, dir: resolve(values.dir ?? join(REPO_ROOT, '.bench', 'cloud-cost')), json: values.json ?? false };
}

const { vehicles, hour, dir: workDir, json } = readFlags();
const cli = join(REPO_ROOT, 'dist/src/cli/main.js');

/** The stack's defaults for the worker (infra/eventlake-stack.ts), read from its source so they cannot drift. */
async function stackDefaults(): Promise<{ memoryMb: number; batchSize: number }> {
  const text = await readFile(join(REPO_ROOT, 'infra/eventlake-stack.ts'), 'utf8');
  const memory = /workerMemoryMb \?\? (\d+)/.exec(text)?.[1];
  const batch = /taskBatchSize \?\? (\d+)/.exec(text)?.[1];
  if (memory === undefined || batch === undefined) throw new Error('infra/eventlake-stack.ts no longer reads `workerMemoryMb ?? N` and `taskBatchSize ?? N`: update bench/cloud-cost.ts');
  return { memoryMb: Number(memory), batchSize: Number(batch) };
}

function eventlake(cliArgs: readonly string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...cliArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`eventlake ${cliArgs.join(' ')} exited with ${code}`))));
  });
}

/**
 * The hour measured in a process of its own (cloud-cost-measure.ts): the handler's log lines and
 * warnings go to a file beside the input, which an error names.
 */
async function measureApart(options: CloudHourOptions): Promise<CloudHour> {
  const answer = join(workDir, 'measured.json');
  const logFile = join(workDir, 'handler-log.jsonl');
  await rm(answer, { force: true });
  const log = createWriteStream(logFile);
  await new Promise((resolveOpen) => log.once('open', resolveOpen));
  const code = await new Promise<number | null>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/bench/cloud-cost-measure.js'), JSON.stringify(options), answer], {
      stdio: ['ignore', log, log],
      // As the CLI does: the SDK's notice about Node 20 says nothing about the hour.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ?? 'true' },
    });
    child.on('error', reject);
    child.on('close', resolvePromise);
  });
  log.end();
  if (code !== 0) throw new Error(`measuring the hour failed (exit ${code}); its output is in ${logFile}`);
  return JSON.parse(await readFile(answer, 'utf8')) as CloudHour;
}

/** The hour's source folder, generated once: a `.complete` marker beside it (not in it: every file in it is uploaded) says it is whole. */
async function generatedHour(): Promise<string> {
  const dir = join(workDir, `${vehicles}-vehicles-${hour}`);
  const marker = `${dir}.complete`;
  if (existsSync(marker)) return dir;
  await rm(dir, { recursive: true, force: true });
  await eventlake(['generate', '--out', dir, '--hour', hour, '--vehicles', String(vehicles)]);
  await writeFile(marker, '');
  return dir;
}

function ourUsage(measured: CloudHour, batchSize: number): HourUsage {
  // Lambda's poller: one ReceiveMessage per batch it hands an invocation and one DeleteMessageBatch
  // for the batch's successes (empty long polls are the same for any design and left out).
  return { s3: measured.s3, sqsMessages: measured.sqsMessages, sqsRequests: measured.sqsSendCalls + 2 * Math.ceil(measured.sqsMessages / batchSize), invocations: measured.invocations, gbSeconds: measured.gbSeconds };
}

const total = (u: HourUsage): number => S3_KINDS.reduce((n, k) => n + u.s3[k], 0);
const ratio = (seed: number, ours: number): number => (ours === 0 ? Number.POSITIVE_INFINITY : seed / ours);
const money = (x: number): string => (x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(3)}`);

function table(ours: HourUsage, seed: HourUsage, oursCost: HourCost, seedCost: HourCost): string {
  const rows: [string, string, string, string][] = [];
  const row = (name: string, a: number, b: number, show: (x: number) => string = (x) => x.toLocaleString('en-US')): void => {
    rows.push([name, show(a), show(b), b === 0 ? '–' : `${ratio(b, a).toFixed(1)}×`]);
  };
  for (const k of S3_KINDS) if (ours.s3[k] > 0 || seed.s3[k] > 0) row(`S3 ${k}`, ours.s3[k], seed.s3[k]);
  row('S3 requests', total(ours), total(seed));
  row('SQS messages', ours.sqsMessages, seed.sqsMessages);
  row('SQS requests', ours.sqsRequests, seed.sqsRequests);
  row('Lambda invocations', ours.invocations, seed.invocations);
  row('requests (S3+SQS+Lambda)', total(ours) + ours.sqsRequests + ours.invocations, total(seed) + seed.sqsRequests + seed.invocations);
  row('Lambda GB-s', ours.gbSeconds, seed.gbSeconds, (x) => x.toFixed(1));
  row('$ S3 / hour', oursCost.s3, seedCost.s3, money);
  row('$ SQS / hour', oursCost.sqs, seedCost.sqs, money);
  row('$ Lambda requests / hour', oursCost.lambdaRequests, seedCost.lambdaRequests, money);
  row('$ Lambda GB-s / hour', oursCost.lambdaCompute, seedCost.lambdaCompute, money);
  row('$ / hour', oursCost.perHour, seedCost.perHour, money);
  row(`$ / month (${HOURS_PER_MONTH} h)`, oursCost.perMonth, seedCost.perMonth, money);
  const header: [string, string, string, string] = ['', 'eventlake', 'seed design', 'seed/ours'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { memoryMb, batchSize } = await stackDefaults();
  const source = await generatedHour();
  const input = await readHourInput(source);
  process.stderr.write(`bench:cloud: measuring ${source} (the handler's log: ${join(workDir, 'handler-log.jsonl')})\n`);
  const measured = await measureApart({ source, hour, memoryMb, batchSize });
  if (measured.status !== 'success') throw new Error(`the run ${measured.runId} ended ${measured.status}, not success: nothing to price`);
  const ours = ourUsage(measured, batchSize);
  const seed = seedUsage(input, measured.gbSeconds);
  const oursCost = costOf(ours);
  const seedCost = costOf(seed);
  const requestsOurs = total(ours) + ours.sqsRequests + ours.invocations;
  const requestsSeed = total(seed) + seed.sqsRequests + seed.invocations;
  // Every design reads each second-file once: S3 has no GET of many objects.
  const sourceGets = { ours: measured.s3Source.GET, seed: seed.s3.GET };
  const putTier = (u: HourUsage): number => u.s3.PUT + u.s3.MULTIPART + u.s3.LIST;
  const ratios = {
    invocations: ratio(seed.invocations, ours.invocations),
    sqsRequests: ratio(seed.sqsRequests, ours.sqsRequests),
    s3PutListRequests: ratio(putTier(seed), putTier(ours)),
    requests: ratio(requestsSeed, requestsOurs),
    requestsBeyondSourceGets: ratio(requestsSeed - sourceGets.seed, requestsOurs - sourceGets.ours),
    costPerHour: ratio(seedCost.perHour, oursCost.perHour),
  };
  const goalMet = { invocations: ratios.invocations >= 10, requests: ratios.requests >= 10, requestsBeyondSourceGets: ratios.requestsBeyondSourceGets >= 10 };
  if (json) {
    const report = { hour, vehicles, files: input.files, entities: input.entities, memoryMb, batchSize, pricesReadOn: PRICES_READ_ON, prices: PRICES, seedModel: SEED_MODEL, measured, ours, seed, oursCost, seedCost, sourceGets, ratios, goalMet };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [
    `cloud cost of one hour: ${hour}, ${vehicles.toLocaleString('en-US')} vehicles, ${input.files.toLocaleString('en-US')} second-files, entities ${input.entities.join(', ')}`,
    `eventlake: run ${measured.runId} (${measured.status}): 1 fan-out + ${measured.taskInvocations} task invocations of ${batchSize} message(s), ${measured.fanOut.tasks} tasks, ${memoryMb} MB; handler wall ${measured.handlerSeconds.toFixed(1)} s against s3rver on loopback`,
    `  SQS requests: ${measured.sqsSendCalls} SendMessageBatch counted at the mock + 1 ReceiveMessage and 1 DeleteMessageBatch per invocation batch (Lambda's poller, modelled)`,
    `  the producers' ${measured.uploaded.toLocaleString('en-US')} source PUTs are the same in both designs and left out`,
    `${SEED_MODEL}`,
    `prices: us-east-1 list prices as of ${PRICES_READ_ON}: S3 PUT/LIST $0.005/1k, GET/HEAD $0.0004/1k, DELETE free; SQS $0.40/M requests; Lambda $0.20/M + $${PRICES.lambdaPerGbSecond}/GB-s`,
    '',
    table(ours, seed, oursCost, seedCost),
    '',
    `ratios (seed/ours): invocations ${ratios.invocations.toFixed(0)}×, SQS requests ${ratios.sqsRequests.toFixed(0)}×, S3 PUT/LIST requests ${ratios.s3PutListRequests.toFixed(0)}×, cost ${ratios.costPerHour.toFixed(1)}×`,
    `all requests ${ratios.requests.toFixed(1)}×: both designs GET each of the ${sourceGets.seed.toLocaleString('en-US')} second-files once (ours ${sourceGets.ours.toLocaleString('en-US')}), a floor no design goes under; beyond those GETs ${ratios.requestsBeyondSourceGets.toFixed(0)}×`,
    `goal ≥ 10× fewer requests and invocations: invocations ${goalMet.invocations ? 'met' : 'NOT met'}; requests beyond the source GETs ${goalMet.requestsBeyondSourceGets ? 'met' : 'NOT met'}; all requests counted together ${goalMet.requests ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cloud: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
