import { describe, expect, it } from 'vitest';
import { parseTaskMessage, taskMessageBody } from '../../src/runtime/lambda/task-message.js';

const valid = { version: 2, runId: '2019-06-01T15-1a2b3c4d', taskId: 't00000' };

describe('task messages: ids only, checked on arrival like any input', () => {
  it('takes a message as the fan-out writes it', () => {
    expect(parseTaskMessage(taskMessageBody('2019-06-01T15-1a2b3c4d', 't00000'))).toEqual(valid);
  });

  it('refuses a message carrying anything beyond the ids (a store, objects, settings), naming the fields', () => {
    const hostile = { ...valid, source: { kind: 'local', root: '/proc/self' }, task: { id: 't00000', objects: [{ index: 0, key: 'environ', size: 1 }] } };
    expect(() => parseTaskMessage(JSON.stringify(hostile))).toThrow('the message is not an eventlake task: it may carry only version, runId and taskId, not source, task');
  });

  it('refuses a version 1 message (the whole task in the body) with what to do', () => {
    const old = { version: 1, hour: '2019-06-01T15', lake: { kind: 's3', bucket: 'lake', prefix: '' }, settings: { runId: valid.runId }, task: { id: 't00000' }, tasks: 1 };
    expect(() => parseTaskMessage(JSON.stringify(old))).toThrow(
      "the message is an eventlake task message of version 1, which carries its own task, source and lake; this worker takes only ids (version 2) and reads the rest from the run's plan: fan the hour out again with --replace",
    );
  });

  it('refuses ids that are not a run\'s or a task\'s, and says which', () => {
    for (const runId of ['../2019-06-01T15-x', '2019-06-01T15-a/b', '2019-06-01T15', '']) {
      expect(() => parseTaskMessage(JSON.stringify({ ...valid, runId }))).toThrow('the message is not an eventlake task: runId: not a run id like 2019-06-01T15-1a2b3c4d');
    }
    expect(() => parseTaskMessage(JSON.stringify({ ...valid, taskId: 't1/../x' }))).toThrow('taskId: not a task id like t00000');
    expect(() => parseTaskMessage('{')).toThrow('the message body is not JSON');
    expect(() => parseTaskMessage(JSON.stringify({ ...valid, version: 3 }))).toThrow('version');
    expect(() => parseTaskMessage('null')).toThrow('the message is not an eventlake task');
  });
});
