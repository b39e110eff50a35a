/**
 * A real S3 API on loopback: s3rver in a child process (see s3-server-process.mjs for why not in
 * this one), with its data in a fresh temporary folder, reporting every request it receives. No
 * test runner here: the benches start it too (s3-server.ts adds the per-test-file hooks).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { resetS3Client } from '../../src/storage/s3/s3-client.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

// From the repository's root: the bench runs this file compiled under dist/, where the .mjs is not.
const PROCESS_SCRIPT = join(REPO_ROOT, 'test', 'helpers', 's3-server-process.mjs');

/** The variables a process needs to use the server: s3rver's own default key pair. */
export interface S3ServerEnv {
  readonly AWS_ENDPOINT_URL: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly AWS_REGION: string;
}

// Variables that would point a client elsewhere, or sign differently, while env is applied.
const CLEARED = ['AWS_ENDPOINT_URL_S3', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly env: S3ServerEnv;
  /**
   * Sets env (and `extra`, e.g. the rest of a function's environment) in process.env, clearing
   * variables that would override it, and forgets the memoised S3 client; the answer undoes both.
   */
  applyEnv(extra?: Readonly<Record<string, string>>): () => void;
  createBucket(name: string): Promise<void>;
  /** Copies every file under localDir to `prefix + its relative path` ('/'-separated). */
  uploadFolder(bucket: string, prefix: string, localDir: string): Promise<number>;
  /** The requests (`METHOD /bucket/key?query`) the server received since the last call. */
  takeRequests(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3Server(buckets: readonly string[] = []): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'eventlake-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', PROCESS_SCRIPT, directory, ...buckets], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const requests: string[] = [];
  const marks = new Map<string, () => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`)));
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; request?: string; mark?: string };
      if (message.port !== undefined) resolve(message.port);
      if (message.request !== undefined) requests.push(message.request);
      if (message.mark !== undefined) marks.get(message.mark)?.();
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const env: S3ServerEnv = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  // The helper's own client: path-style, plain bodies (see src/storage/s3/s3-client.ts).
  const client = new S3Client({
    region: env.AWS_REGION,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let markCount = 0;

  return {
    endpoint,
    env,
    applyEnv(extra = {}) {
      const saved = new Map<string, string | undefined>();
      for (const name of [...CLEARED, ...Object.keys(env), ...Object.keys(extra)]) saved.set(name, process.env[name]);
      for (const name of CLEARED) delete process.env[name];
      Object.assign(process.env, env, extra);
      resetS3Client();
      return () => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
        resetS3Client();
      };
    },
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async uploadFolder(bucket, prefix, localDir) {
      const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
      const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
      // A few at a time: quick, without opening hundreds of sockets at once.
      for (let i = 0; i < files.length; i += 16) {
        await Promise.all(
          files.slice(i, i + 16).map(async (file) => {
            const key = `${prefix}${relative(localDir, file).split(sep).join('/')}`;
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
          }),
        );
      }
      return files.length;
    },
    async takeRequests() {
      const mark = String(++markCount);
      const seen = new Promise<void>((resolve) => marks.set(mark, resolve));
      child.stdin.write(`${mark}\n`);
      await seen;
      marks.delete(mark);
      return requests.splice(0);
    },
    async close() {
      client.destroy();
      await stop(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin.end();
  });
}
