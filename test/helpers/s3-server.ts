/**
 * A real S3 API on loopback for tests: one server per test file (or describe block), its env
 * applied around every test. The server itself is s3-server-client.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startS3Server, type S3Server } from './s3-server-client.js';

export { startS3Server, type S3Server, type S3ServerEnv } from './s3-server-client.js';

/**
 * One server for the calling test file (or describe block), its env applied around every test:
 * the answer gives the running server.
 */
export function useS3Server(buckets: readonly string[]): () => S3Server {
  let server: S3Server | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    server = await startS3Server(buckets);
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    restore = server?.applyEnv();
  });
  afterEach(() => restore?.());
  return () => {
    if (server === undefined) throw new Error('the S3 server is started in beforeAll');
    return server;
  };
}
