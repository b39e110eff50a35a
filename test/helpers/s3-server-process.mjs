/**
 * Runs s3rver for test/helpers/s3-server.ts, in its own process started with
 * --openssl-legacy-provider: s3rver 3.7.1 makes ListObjectsV2 continuation tokens with DES,
 * which Node 20's OpenSSL 3 refuses without it (every truncated page was a 500 in process).
 *
 * argv: data folder, then bucket names. stdout, one JSON line each: `{ port }` once listening,
 * `{ request }` for every request as it arrives, `{ mark }` echoing a `mark` line from stdin,
 * so the parent knows it has seen every request made before it asked.
 * The run ends when stdin closes: when the parent closes it, or dies.
 */
import { createInterface } from 'node:readline';
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ silent: true, directory, address: '127.0.0.1', port: 0, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
server.httpServer.on('request', (req) => send({ request: `${req.method} ${req.url}` }));
send({ port });

const input = createInterface({ input: process.stdin });
input.on('line', (line) => send({ mark: line }));
input.on('close', () => process.exit(0));
