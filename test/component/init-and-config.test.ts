/** `eventlake init` and the config file as a person meets them: the starter file, a typo, a bad variable. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/fixtures.js';

/** stderr holds exactly one line. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('eventlake init', () => {
  it('writes eventlake.config.yaml in the current folder, refuses to overwrite it, and status reads the state it names', async () => {
    const dir = await tempDir();
    const file = join(dir, 'eventlake.config.yaml');

    const first = await runCli(['init'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(first.stdout).toContain(file);
    const written = await readFile(file, 'utf8');
    expect(written).toMatch(/^schedule:$/m);
    expect(written).toMatch(/^ {2}cron: "0 \* \* \* \*"/m);

    const second = await runCli(['init'], dir);
    expect(second.code).toBe(1);
    const line = oneLine(second.stderr);
    expect(line).toContain(file);
    expect(line).toContain('--force');
    // The file is left as it was.
    expect(await readFile(file, 'utf8')).toBe(written);

    // No run has made the state yet: status names where it looked (the starter's ./.eventlake,
    // relative to the file's folder) in one line and makes nothing there.
    const status = await runCli(['status', '--json'], dir);
    expect(status.code).toBe(1);
    const refusal = oneLine(status.stderr);
    expect(refusal).toContain(join(dir, '.eventlake'));
    expect(refusal).toMatch(/eventlake run or up creates it/);
    expect(existsSync(join(dir, '.eventlake'))).toBe(false);

    const forced = await runCli(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(written);
  });
});

describe('a config that is wrong', () => {
  it('names a mistyped key in one line and suggests the known one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'eventlake.config.yaml'), 'schedule:\n  cronn: "0 * * * *"\n');
    const result = await runCli(['status'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const line = oneLine(result.stderr);
    expect(line).toContain('schedule.cronn');
    expect(line).toMatch(/did you mean cron\?/);
    expect(line).toContain('eventlake.config.yaml');
  });

  it('names a mistyped key in a file given with --config', async () => {
    const dir = await tempDir();
    const file = join(dir, 'other.yaml');
    await writeFile(file, 'schedule:\n  cronn: "0 * * * *"\n');
    const result = await runCli(['status', '--config', file, '--state', join(dir, 'state')]);
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain('schedule.cronn');
    expect(line).toMatch(/did you mean cron\?/);
  });

  it('names an environment variable with a bad value in one line', async () => {
    const dir = await tempDir();
    const result = await runCli(['status'], dir, { EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: 'two' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const line = oneLine(result.stderr);
    expect(line).toContain('EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS');
    expect(line).toContain('"two"');
    expect(line).toMatch(/whole number/);
  });

  it('names a bad environment variable on top of a good starter file', async () => {
    const dir = await tempDir();
    expect((await runCli(['init'], dir)).code).toBe(0);
    const result = await runCli(['status'], dir, { EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS: 'two' });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain('EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS');
    // The variable set the value, not the file: the message must not blame the file.
    expect(line).not.toContain('eventlake.config.yaml');
  });
});
