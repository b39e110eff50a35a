import { describe, expect, it } from 'vitest';
import { parseTaskMessage } from '../../src/runtime/lambda/task-message.js';

const valid = {
  version: 1,
  hour: '2019-06-01T15',
  lake: { kind: 's3', bucket: 'lake', prefix: 'tables/' },
  settings: { runId: '2019-06-01T15-abc', source: { kind: 's3', bucket: 'events', prefix: '' }, format: 'parquet', codec: 'zstd', targetFileBytes: 1, maxLineBytes: 10 },
  task: { id: 't00000', objects: [{ index: 0, key: '2019-06-01-15-0-0-events.json', size: 3 }], bytes: 3 },
  tasks: 1,
};

describe('task messages, checked on arrival like any input', () => {
  it('takes a message as the fan-out writes it', () => {
    expect(parseTaskMessage(JSON.stringify(valid)).task.id).toBe('t00000');
  });

  it('refuses what the CLI would refuse as a location, and says where', () => {
    for (const prefix of ['../x/', 'a//b/', 'tables', './']) {
      expect(() => parseTaskMessage(JSON.stringify({ ...valid, lake: { ...valid.lake, prefix } }))).toThrow('the message is not an eventlake task: lake.prefix:');
    }
    expect(() => parseTaskMessage(JSON.stringify({ ...valid, lake: { ...valid.lake, bucket: 'Bad_Bucket' } }))).toThrow('lake.bucket');
    expect(() => parseTaskMessage('{')).toThrow('the message body is not JSON');
    expect(() => parseTaskMessage(JSON.stringify({ ...valid, version: 2 }))).toThrow('version');
  });
});
