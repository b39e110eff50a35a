/**
 * snowflake-sdk's own log (winston: the console and `snowflake.log` in the working directory by
 * default) is configured to a file only: stdout is the Lambda's log of JSON lines and
 * `eventlake lambda invoke`'s answer. The real driver's logger, no connection (no Snowflake here).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { configureSnowflakeLogger } from '../../src/warehouse/snowflake/snowflake-connection.js';
import { tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/processes.js';

describe("snowflake-sdk's logger", () => {
  it('writes the driver\'s errors to the log file and nothing to stdout', async () => {
    const { default: snowflake } = await import('snowflake-sdk');
    const { getInstance: driverLogger } = await import('snowflake-sdk/dist/lib/logger.js');
    const file = join(await tempDir(), 'snowflake.log');
    const printed: string[] = [];
    const keep = (chunk: unknown): boolean => (printed.push(String(chunk)), true);
    // Winston's console transport writes to console._stdout (process.stdout outside a test runner).
    const consoleOut = (console as unknown as { _stdout?: NodeJS.WritableStream })._stdout;
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(keep), ...(consoleOut ? [vi.spyOn(consoleOut, 'write').mockImplementation(keep)] : [])];
    try {
      configureSnowflakeLogger(snowflake, file);
      driverLogger().error('eventlake test: a driver error %s', 'to the file');
      driverLogger().info('eventlake test: chatter below the level');
      await waitFor('the driver log file', async () => (await readFile(file, 'utf8').catch(() => '')).includes('a driver error to the file'));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(printed.filter((line) => line.includes('eventlake test'))).toEqual([]);
    expect(driverLogger().getTransportLabels()).toEqual(['File']);
    expect(await readFile(file, 'utf8')).not.toContain('chatter below the level');
  });
});
