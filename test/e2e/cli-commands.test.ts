/** The generate and demo commands as a user runs them, and the terminal progress bar. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CLI, listFiles, query, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { exitWithin, startCli, waitFor } from '../helpers/processes.js';

describe('eventlake generate', () => {
  it('writes the hour and reports it as JSON', async () => {
    const out = await tempDir();
    const result = await runCli(['generate', '--out', out, '--hour', '2020-02-29T23', '--vehicles', '3', '--seed', '9', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { files: number; events: number; bytes: number; out: string };
    expect(summary).toMatchObject({ out, files: 3600 });
    const files = await listFiles(out);
    expect(files).toHaveLength(3600);
    expect(files.some((f) => f.endsWith('/2020-02-29-23-59-59-events.json'))).toBe(true);
  });

  it('names a bad --vehicles', async () => {
    const result = await runCli(['generate', '--out', 'x', '--hour', SAMPLE_HOUR, '--vehicles', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--vehicles must be a whole number of at least 1/);
  });
});

describe('eventlake demo (npm start)', () => {
  it('generates a sample hour, runs it and prints the summary', async () => {
    const dir = await tempDir();
    const result = await runCli(['demo', '--once', '--dir', dir, '--vehicles', '5', '--json', '--state', `${dir}/state`]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { generated: { events: number }; run: { events: Record<string, number>; quarantined: number } };
    expect(summary.run.quarantined).toBe(0);
    const rows = await query(`SELECT count(*) AS n FROM '${dir}/lake/*/*/*/*.parquet'`);
    expect(Number(rows[0]?.['n'])).toBe(summary.generated.events);
    expect(summary.run.events['vehicle'] ?? 0).toBeGreaterThan(0);
  });

  it('prints a readable summary without --json', async () => {
    const dir = await tempDir();
    const result = await runCli(['demo', '--once', '--dir', dir, '--vehicles', '2', '--state', `${dir}/state`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^generated [\d,]+ events in 3,600 files/m);
    expect(result.stdout).toMatch(/^hour \d{4}-\d{2}-\d{2}T\d{2}: 3,600 objects .* in [\d.]+ s$/m);
    expect(result.stdout).toMatch(/^ {2}vehicle +[\d,]+ rows +1 file/m);
    expect(result.stdout).toMatch(/no line quarantined/);
  });
});

describe('on a terminal', () => {
  it('shows a progress bar with objects done and events per second', async () => {
    const lake = await tempDir();
    // `script` gives the CLI a real pseudo-terminal, as a person's shell would.
    const command = `${process.execPath} ${CLI} run --source ${SAMPLE} --lake ${lake} --hour ${SAMPLE_HOUR} --state ${lake}-state`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '120' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/hour 2019-06-01T15 \[[█░]+\] \d+\/721 objects \| [\d,]+ events\/s/);
    expect(result.stdout).toMatch(/hour 2019-06-01T15: 721 objects/);
  });
});

describe('npm start (eventlake demo): the embedded deployment', () => {
  it('runs the first hour, prints its summary, keeps running, and stops cleanly on Ctrl-C', async () => {
    const dir = await tempDir();
    const demo = startCli(['demo', '--dir', dir, '--vehicles', '2']);
    await waitFor('the first hour summary', () => /Still running/.test(demo.out.stdout), 120_000);
    expect(demo.out.stdout).toMatch(/^eventlake up: \d+ workers?, at most 2 runs at a time$/m);
    expect(demo.out.stdout).toMatch(/^hour \d{4}-\d{2}-\d{2}T\d{2}: 3,600 objects/m);
    expect(demo.out.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2} {2}success/m);
    demo.child.kill('SIGINT');
    expect(await exitWithin(demo, 20_000)).toEqual({ code: 0, signal: null });
    const status = JSON.parse((await runCli(['status', '--json', '--state', join(dir, '.eventlake')])).stdout) as { runs: { status: string }[]; schedulers: unknown[] };
    expect(status.runs.map((r) => r.status)).toEqual(['success']);
    // A clean stop leaves no scheduler registered.
    expect(status.schedulers).toEqual([]);
  });
});

describe('start-up: only the command asked for is loaded', () => {
  const loaded = (stderr: string, module: string): boolean => stderr.includes(`/cli/${module}.js`);

  it('a run loads its own command module and none of the others', async () => {
    const dir = await tempDir();
    // Global flags before the command, one with a value that is itself a command's name.
    const args = ['--state', 'status', '--json', 'run', '--source', SAMPLE, '--lake', join(dir, 'lake'), '--hour', SAMPLE_HOUR];
    const result = await runCli(args, dir, { NODE_DEBUG: 'esm' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{')))).toMatchObject({ hour: SAMPLE_HOUR, objects: 721 });
    expect(loaded(result.stderr, 'run-command')).toBe(true); // the module log is on
    for (const other of ['status-command', 'warehouse-command', 'serve-command', 'lambda-command', 'demo-command', 'trigger-command']) {
      expect(loaded(result.stderr, other), other).toBe(false);
    }
  });

  it('help still lists every command, and a misspelt one is still suggested', async () => {
    // Help before a command's name is still the whole program's help.
    for (const args of [['--help'], ['--help', 'run'], ['-h', 'run']]) {
      const help = await runCli(args);
      expect(help.code).toBe(0);
      for (const name of ['run', 'fanout', 'trigger', 'backfill', 'resume', 'up', 'serve', 'status', 'dlq', 'init', 'warehouse', 'query', 'sql', 'explain', 'lineage', 'generate', 'demo', 'lambda']) {
        expect(help.stdout, `${args.join(' ')}: ${name}`).toMatch(new RegExp(`^  ${name} `, 'm'));
      }
    }
    const typo = await runCli(['--json', 'warehuose']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'warehuose'");
    expect(typo.stderr).toContain('Did you mean warehouse?');
  });
});
