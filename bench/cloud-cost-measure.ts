/**
 * The cloud-cost bench's measuring process: the bundled handler logs JSON lines to stdout, as in
 * Lambda, so it runs apart from the process printing the table. argv: the options of
 * measureCloudHour as JSON, then the file its answer is written to.
 */
import { writeFile } from 'node:fs/promises';
import { measureCloudHour, type CloudHourOptions } from './cloud-cost-hour.js';

const [options, out] = process.argv.slice(2);
if (options === undefined || out === undefined) throw new Error('usage: cloud-cost-measure.js <options json> <answer file>');
await writeFile(out, JSON.stringify(await measureCloudHour(JSON.parse(options) as CloudHourOptions)));
