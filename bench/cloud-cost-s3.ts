/**
 * s3rver for the cloud-cost bench, in its own process (test/helpers/s3-server-process.mjs: it
 * needs --openssl-legacy-provider for list continuation tokens), reporting every request line it
 * receives; `take()` answers the lines received since the last take, all of them (a mark sent
 * through its stdin comes back after every earlier request).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from '../infra/repo-root.js';

export interface CountingS3 {
  readonly endpoint: string;
  /** s3rver's own key pair and the endpoint, as a process's environment takes them. */
  readonly env: Readonly<Record<string, string>>;
  upload(bucket: string, localDir: string): Promise<number>;
  take(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startCountingS3(buckets: readonly string[]): Promise<CountingS3> {
  const directory = await mkdtemp(join(tmpdir(), 'eventlake-cost-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', join(REPO_ROOT, 'test/helpers/s3-server-process.mjs'), directory, ...buckets], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const requests: string[] = [];
  const marks = new Map<string, () => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; request?: string; mark?: string };
      if (message.port !== undefined) resolve(message.port);
      if (message.request !== undefined) requests.push(message.request);
      if (message.mark !== undefined) marks.get(message.mark)?.();
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
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
    async upload(bucket, localDir) {
      const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
      const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(e.parentPath, e.name));
      for (let i = 0; i < files.length; i += 16) {
        await Promise.all(
          files.slice(i, i + 16).map(async (file) => {
            const key = relative(localDir, file).split(sep).join('/');
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
          }),
        );
      }
      return files.length;
    },
    async take() {
      const mark = String(++markCount);
      const seen = new Promise<void>((resolve) => marks.set(mark, resolve));
      child.stdin.write(`${mark}\n`);
      await seen;
      marks.delete(mark);
      return requests.splice(0);
    },
    async close() {
      client.destroy();
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.stdin.end();
        });
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
