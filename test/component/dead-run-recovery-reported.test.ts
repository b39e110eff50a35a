/**
 * What a dead run left in an hour is said, not only done: the next run of the hour clears (or
 * finishes, or rolls back) it and says so in one line on stderr and in the debug log (with --json
 * only in the log, stdout one JSON document).
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';

let source: string;

beforeAll(async () => {
  source = await tempDir();
  expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '3'])).code).toBe(0);
});

describe('a dead run of the hour', () => {
  it("is cleared by the next run, which says so on stderr and in the debug log; with --json only in the log", async () => {
    const lake = await tempDir();
    const state = await tempDir();
    const run = (json: boolean) =>
      runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat', '--workers', '1', ...(json ? ['--json'] : [])]);
    expect((await run(false)).code).toBe(0);
    // A run that died before its publish journal: its staged attempt is all it left.
    const dead = `${SAMPLE_HOUR}-deadbeef`;
    await mkdir(join(lake, '_staging', dead, 'attempt-1-deadbeef'), { recursive: true });
    await writeFile(join(lake, '_staging', dead, 'attempt-1-deadbeef', 'part-00000.parquet'), 'half written');

    const second = await run(false);
    expect(second.code).toBe(0);
    const sentence = `run ${dead} never committed its publish of hour ${SAMPLE_HOUR}; its staging was cleared`;
    expect(second.stderr).toContain(`eventlake: ${sentence}`);
    expect(existsSync(join(lake, '_staging', dead))).toBe(false);
    const logs = await readdir(join(state, 'logs'));
    const text = (await Promise.all(logs.map((f) => readFile(join(state, 'logs', f), 'utf8')))).join('');
    expect(text).toContain(sentence);

    // With --json the line goes only to the log (as retries do); stdout stays one document.
    await mkdir(join(lake, '_staging', dead, 'attempt-2-deadbeef'), { recursive: true });
    const third = await run(true);
    expect(third.code).toBe(0);
    expect(third.stderr).not.toContain(sentence);
    expect(() => JSON.parse(third.stdout) as unknown).not.toThrow();
    expect(existsSync(join(lake, '_staging', dead))).toBe(false);
  });
});
