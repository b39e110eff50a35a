/** What `eventlake up` says on stderr when a scheduled run fails and will be tried again. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';
import { exitWithin, startCli, waitFor } from '../helpers/processes.js';

describe('eventlake up retry message', () => {
  it('names the run once: "run <id> failed (attempt 1)", not "the run of run <id>"', async () => {
    const dir = await tempDir();
    const [source, lake, state] = [join(dir, 'source'), join(dir, 'lake'), join(dir, 'state')];
    await mkdir(source, { recursive: true });
    // The hour the schedule makes due now has no objects: the run fails and is retried later.
    const up = startCli(['up', '--source', source, '--lake', lake, '--state', state, '--workers', '1'], { EVENTLAKE_SCHEDULE_TICK: '200ms' });
    try {
      const line = await waitFor('the retry message', () => up.out.stderr.split('\n').find((l) => l.includes('failed (attempt 1)')));
      expect(line).toMatch(/^eventlake: (the )?run \S+ failed \(attempt 1\): no source objects for hour /);
      expect(line).not.toMatch(/the run of run/);
    } finally {
      up.child.kill('SIGINT');
      if (!(await exitWithin(up, 20_000))) up.child.kill('SIGKILL');
    }
  });
});
