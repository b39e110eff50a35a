/**
 * A mock of SQS queues for tests (no SQS can run here): a real HTTP server on loopback speaking
 * SQS's JSON protocol for ReceiveMessage, ChangeMessageVisibilityBatch, SendMessage,
 * DeleteMessage and ListDeadLetterSourceQueues, reached through AWS_ENDPOINT_URL_SQS so the real
 * AWS SDK signs and sends (and checks the bodies' MD5s). Queues keep messages with a visibility
 * clock as SQS does; every call is recorded by its action's name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface QueuedMessage {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export class MockedSqsQueues {
  readonly calls: { action: string; input: Record<string, unknown> }[] = [];
  private readonly queues = new Map<string, QueuedMessage[]>();
  /** The dead-letter queue → its source queues (the redrive policies). */
  readonly sources = new Map<string, string[]>();
  private server: Server | undefined;
  url = '';

  /** A queue's URL on this server. */
  queueUrl(name: string): string {
    return `${this.url}/123456789012/${name}`;
  }

  put(queueUrl: string, body: string, receiveCount = 0): string {
    const id = randomUUID();
    this.messages(queueUrl).push({ id, body, sentAt: Date.now(), receiveCount, visibleAt: 0 });
    return id;
  }

  messages(queueUrl: string): QueuedMessage[] {
    let queue = this.queues.get(queueUrl);
    if (!queue) this.queues.set(queueUrl, (queue = []));
    return queue;
  }

  actions(): string[] {
    return this.calls.map((c) => c.action);
  }

  private answer(action: string, input: Record<string, unknown>): unknown {
    const queue = this.messages(input['QueueUrl'] as string);
    const now = Date.now();
    switch (action) {
      case 'ReceiveMessage': {
        const visible = queue.filter((m) => m.visibleAt <= now).slice(0, Number(input['MaxNumberOfMessages'] ?? 1));
        for (const m of visible) {
          m.receiveCount++;
          m.receipt = randomUUID();
          m.visibleAt = now + Number(input['VisibilityTimeout'] ?? 30) * 1000;
        }
        return {
          Messages: visible.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: m.receipt,
            MD5OfBody: md5(m.body),
            Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
          })),
        };
      }
      case 'ChangeMessageVisibilityBatch': {
        const entries = input['Entries'] as { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
        for (const e of entries) {
          const m = queue.find((q) => q.receipt === e.ReceiptHandle);
          if (m) m.visibleAt = now + e.VisibilityTimeout * 1000;
        }
        return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
      }
      case 'SendMessage': {
        const id = this.put(input['QueueUrl'] as string, input['MessageBody'] as string);
        return { MessageId: id, MD5OfMessageBody: md5(input['MessageBody'] as string) };
      }
      case 'DeleteMessage': {
        const at = queue.findIndex((m) => m.receipt === input['ReceiptHandle']);
        if (at >= 0) queue.splice(at, 1);
        return {};
      }
      case 'ListDeadLetterSourceQueues':
        return { queueUrls: this.sources.get(input['QueueUrl'] as string) ?? [] };
      default:
        throw new Error(`the mocked SQS does not answer ${action}`);
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        this.calls.push({ action, input });
        try {
          const body = JSON.stringify(this.answer(action, input));
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(body);
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: (error as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
