/**
 * A mock of SQS for tests (no SQS server can run here): a real HTTP server on loopback speaking
 * SQS's JSON protocol for SendMessageBatch, reached through AWS_ENDPOINT_URL_SQS, so the real AWS
 * SDK signs and sends real requests. It takes every message, except on a queue whose URL ends
 * with `/missing`, and keeps what it received.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Entry {
  readonly Id: string;
  readonly MessageBody: string;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
}

export interface Received {
  readonly target: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: { QueueUrl: string; Entries: Entry[] };
}

export class MockedSqsServer {
  readonly received: Received[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
        this.received.push({ target: req.headers['x-amz-target'] as string | undefined, headers: req.headers, body });
        if (body.QueueUrl.endsWith('/missing')) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }));
          return;
        }
        const successful = body.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex') }));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ Successful: successful, Failed: [] }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Every message body received so far, in the order sent. */
  bodies(): string[] {
    return this.received.flatMap((r) => r.body.Entries.map((e) => e.MessageBody));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
