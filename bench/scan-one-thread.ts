/**
 * The scan stage alone, on this thread: plans an hour, processes one task to warm up, then the
 * next N tasks in turn, and prints the rows and the time and CPU they took. Used to compare
 * scan changes without the noise of two workers and DuckDB; for instruction counts that do not
 * depend on the machine's speed, run it under callgrind with V8 made deterministic:
 *
 *   node dist/bench/scan-one-thread.js <source-dir> [tasks=12] [parquet|avro]
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --predictable dist/bench/scan-one-thread.js <source-dir> 12
 *
 * (callgrind's "Collected" total repeats to within 0.01% run to run under --predictable.)
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry } from '../src/events/entity-registry.js';
import { FORMAT_NAMES, loadLakeFormat } from '../src/formats/lake-formats.js';
import type { FormatName } from '../src/formats/lake-format.js';
import { parseHour } from '../src/pipeline/hour.js';
import { MAX_LINE_BYTES } from '../src/pipeline/line-splitter.js';
import { planHour } from '../src/pipeline/plan-hour.js';
import { TaskProcessor } from '../src/pipeline/task-processor.js';
import { openObjectStore } from '../src/storage/object-store-registry.js';

const [root, taskArg = '12', formatArg = 'parquet'] = process.argv.slice(2);
if (!root || !/^\d+$/.test(taskArg) || !(FORMAT_NAMES as string[]).includes(formatArg)) {
  process.stderr.write('usage: scan-one-thread <source-dir> [tasks] [parquet|avro]\n');
  process.exit(2);
}
const format = formatArg as FormatName;
const hour = parseHour('2019-06-01T15');
if (!hour) throw new Error('bad hour');
const source = { kind: 'local' as const, root };
const store = await openObjectStore(source);
const settings = { source, format, codec: format === 'parquet' ? 'zstd' : 'deflate', targetFileBytes: 128 * 1024 * 1024, maxLineBytes: MAX_LINE_BYTES };
const manifest = await planHour({ ...settings, store, hour, layout: 'flat', runId: 'scan-bench' });
const scratch = join(tmpdir(), `eventlake-scan-bench-${process.pid}`);
const processor = new TaskProcessor({ ...settings, runId: 'scan-bench' }, scratch, { store, registry: defaultRegistry(), format: await loadLakeFormat(format) });
try {
  const [first, ...rest] = manifest.tasks;
  if (first) await processor.process(first, () => undefined);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  for (const task of rest.slice(0, Number(taskArg))) {
    const output = await processor.process(task, () => undefined);
    rows += Object.values(output.events).reduce((a, b) => a + b, 0);
  }
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ rows, wallMs: Math.round(performance.now() - started), userMs: Math.round(used.user / 1000), sysMs: Math.round(used.system / 1000) })}\n`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
