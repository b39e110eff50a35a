/** Odd places and odd names: one clear sentence, no spinning, nothing dropped in silence. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, listFiles, query, runCli, tempDir, writeObject, type CliResult } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const good = (id: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T18:23:57.196Z', data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org' });

/** Runs the CLI, killing it if it hangs: a spin must fail the test, not hang it. */
function runBounded(args: string[], options: { uid?: number; gid?: number } = {}): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { ...options });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, killed });
    });
  });
}

describe('locations that cannot be used', () => {
  it('--lake under /proc fails at once with one sentence (Node\'s mkdir -p would spin there)', async () => {
    const source = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    const result = await runBounded(['run', '--source', source, '--lake', '/proc/eventlake-lake', '--hour', HOUR, '--state', await tempDir()]);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('eventlake: lake folder /proc/eventlake-lake cannot be created (ENOENT)\n');
  });

  it.each([
    ['generate --out', (file: string) => ['generate', '--out', file, '--hour', HOUR, '--vehicles', '1'], 'output folder'],
    ['demo --dir', (file: string) => ['demo', '--dir', file, '--vehicles', '1'], 'demo folder'],
  ])('%s naming a file says so', async (_name, args, what) => {
    const dir = await tempDir();
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const result = await runBounded(args(file));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eventlake: ${what} ${file} is not a folder\n`);
  });

  it('a folder that cannot be made because a file is in the way names that file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const result = await runBounded(['generate', '--out', join(file, 'sub'), '--hour', HOUR, '--vehicles', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eventlake: output folder ${join(file, 'sub')} cannot be created: ${file} is not a folder\n`);
  });

  it('a state folder that cannot be written stops the run before it publishes anything', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('old')}\n`);
    expect((await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--state', await tempDir()])).code).toBe(0);
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('new')}\n`);
    const stateFile = join(await tempDir(), 'state-is-a-file');
    await writeFile(stateFile, 'x');
    const result = await runBounded(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--state', stateFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eventlake: state folder ${stateFile} is not a folder; choose another with --state\n`);
    expect(await query(`SELECT vehicle_id FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ vehicle_id: 'old' }]);
    expect(existsSync(join(lake, '_staging'))).toBe(false);
  });

  it('--state under /proc fails at once with one sentence, before anything else', async () => {
    const result = await runBounded(['run', '--source', '/nonexistent', '--lake', await tempDir(), '--hour', HOUR, '--state', '/proc/eventlake-state']);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('eventlake: source folder /nonexistent does not exist\n');
    const source = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    const again = await runBounded(['run', '--source', source, '--lake', await tempDir(), '--hour', HOUR, '--state', '/proc/eventlake-state']);
    expect(again.killed).toBe(false);
    expect(again.stderr).toBe('eventlake: state folder /proc/eventlake-state cannot be created (ENOENT); choose another with --state\n');
  });

  it.each([['--source'], ['--lake'], ['--state']])('an empty %s is refused, never taken for the current folder', async (flag) => {
    const cwd = await tempDir();
    await writeObject(cwd, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    const args: Record<string, string> = { '--source': cwd, '--lake': join(cwd, 'lake'), '--state': join(cwd, 'state'), [flag]: '' };
    const result = await runCli(['run', '--hour', HOUR, ...Object.entries(args).flat()], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${flag} must name a folder, not be empty.`);
    expect(await listFiles(join(cwd, 'lake'))).toEqual([]);
  });

  it('refuses folders that overlap: the lake as source, the lake inside an any-depth source, the state inside the lake', async () => {
    const root = await tempDir();
    await writeObject(root, 'src/2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    const src = join(root, 'src');
    const cases: [string[], string][] = [
      [['--lake', src, '--state', join(root, 's')], `eventlake: the lake folder ${src} is the source folder; choose another lake\n`],
      [
        ['--lake', join(src, 'lake'), '--state', join(root, 's')],
        `eventlake: the lake folder ${join(src, 'lake')} is inside the source folder ${src}, which --layout any reads whole; move the lake or use --layout flat or nested\n`,
      ],
      [['--lake', join(root, 'lake'), '--state', join(root, 'lake/vehicle')], `eventlake: the state folder ${join(root, 'lake/vehicle')} is inside the lake ${join(root, 'lake')}; keep it outside, publishing replaces lake folders\n`],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['run', '--source', src, '--hour', HOUR, ...args]);
      expect(result.stderr).toBe(message);
      expect(result.code).toBe(1);
    }
    // With a flat layout, a lake inside the source is not read as source.
    const flat = await runCli(['run', '--source', src, '--lake', join(src, 'lake'), '--hour', HOUR, '--layout', 'flat', '--state', join(root, 's'), '--json']);
    expect(flat.code).toBe(0);
  });

  it('a reader that closes stdout early ends the run quietly, after the hour is published', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', `${lake}-s`]);
      child.stdout.destroy(); // like `| true`: nobody reads
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await query(`SELECT vehicle_id FROM '${lake}/vehicle/*/*/*.parquet'`)).toEqual([{ vehicle_id: 'a' }]);
  });

  it('an unreadable folder in the source is named in one sentence', async () => {
    const root = await tempDir();
    await chmod(root, 0o777);
    const source = join(root, 'source');
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    await writeObject(source, 'locked/2019-06-01-15-0-2-events.json', `${good('b')}\n`);
    await chmod(source, 0o777);
    await chmod(join(source, 'locked'), 0o000);
    const expected = `cannot read folder ${join(source, 'locked')} (EACCES)`;
    try {
      if (process.getuid?.() !== 0) {
        const result = await runBounded(['run', '--source', source, '--lake', join(root, 'lake'), '--hour', HOUR, '--state', join(root, 'state')]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`eventlake: ${expected}\n`);
        return;
      }
      // Permissions do not stop root, and "nobody" may not reach this checkout: list the source
      // as nobody through a copy of the built adapter (it needs no packages).
      await cp(resolve('dist/src'), join(root, 'dist'), { recursive: true });
      await writeFile(join(root, 'dist/package.json'), '{"type":"module"}');
      await chmod(join(root, 'dist'), 0o755);
      const script = `import { LocalObjectStore } from ${JSON.stringify(join(root, 'dist/storage/local/local-object-store.js'))};
        try { for await (const o of new LocalObjectStore(${JSON.stringify(source)}).list()) void o; console.log('listed'); }
        catch (err) { console.log(err.name + ': ' + err.message); }`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: root });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`StorageLocationError: ${expected}\n`);
    } finally {
      await chmod(join(source, 'locked'), 0o755);
    }
  });
});

describe('objects skipped for their names', () => {
  it('are counted in the summary and listed with --debug, never dropped in silence', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('a')}\n`);
    await writeObject(source, '2019-06-01-15-61-0-events.json', `${good('minute-61')}\n`);
    await writeObject(source, 'elsewhere/target.json', `${good('via-link')}\n`);
    await symlink(join(source, 'elsewhere/target.json'), join(source, '2019-06-01-15-0-2-events.json'));
    const badName = Buffer.concat([Buffer.from(`${source}/`), Buffer.from([0x66, 0xff, 0x66])]);
    await mkdir(badName);
    await writeFile(Buffer.concat([badName, Buffer.from('/2019-06-01-15-0-3-events.json')]), `${good('in-bad-folder')}\n`);
    await writeObject(source, '2019-06-01-16-0-1-events.json', `${good('other-hour')}\n`);

    const json = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(json.code).toBe(0);
    // minute 61, the symlink, the folder whose name is not UTF-8, and elsewhere/target.json; never the other hour.
    expect(JSON.parse(json.stdout)).toMatchObject({ objects: 1, skipped: 4, events: { vehicle: 1 }, quarantined: 0 });

    const debug = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--debug', '--state', await tempDir()]);
    expect(debug.code).toBe(0);
    expect(debug.stderr.split('\n').filter((l) => l.startsWith('skipped ')).sort()).toEqual([
      'skipped 2019-06-01-15-0-2-events.json: a symbolic link, not a file',
      'skipped 2019-06-01-15-61-0-events.json: not an event object name (YYYY-MM-DD-HH-M-S-events.json[.gz])',
      'skipped elsewhere/target.json: not an event object name (YYYY-MM-DD-HH-M-S-events.json[.gz])',
      'skipped f\uFFFDf: name is not valid UTF-8',
    ]);
    expect(debug.stdout).toContain('skipped 4 objects for their names (--debug lists them)');
    // With no object of the hour at all, --debug still lists what was skipped.
    const none = await runCli(['run', '--source', source, '--lake', lake, '--hour', '2019-06-01T14', '--debug', '--state', await tempDir()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('skipped 2019-06-01-15-61-0-events.json: not an event object name');
    expect(none.stderr).toContain('eventlake: no source objects for hour 2019-06-01T14');
  });
});

describe('run records', () => {
  it('demo keeps its state under --dir unless --state is given', async () => {
    const cwd = await tempDir();
    const result = await runCli(['demo', '--once', '--dir', 'here', '--vehicles', '2', '--json'], cwd);
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'here/.eventlake/eventlake.db'))).toBe(true);
    expect(existsSync(join(cwd, '.eventlake'))).toBe(false);
  });
});

describe('source layouts', () => {
  it('flat and nested list only the hour\'s prefix; any finds objects at any depth', async () => {
    const source = await tempDir();
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${good('flat')}\n`);
    await writeObject(source, '2019/06/01/15/0/2019-06-01-15-0-2-events.json', `${good('nested')}\n`);
    await writeObject(source, 'deep/er/2019-06-01-15-0-3-events.json', `${good('deep')}\n`);
    const ids = async (layout: string): Promise<unknown[]> => {
      const lake = await tempDir();
      const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--layout', layout, '--json', '--state', await tempDir()]);
      expect(result.stderr).toBe('');
      return (await query(`SELECT vehicle_id FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_object`)).map((r) => r['vehicle_id']);
    };
    expect(await ids('flat')).toEqual(['flat']);
    expect(await ids('nested')).toEqual(['nested']);
    expect(await ids('any')).toEqual(['flat', 'nested', 'deep']);
    const bad = await runCli(['run', '--source', source, '--lake', await tempDir(), '--hour', HOUR, '--layout', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--layout <layout>' argument 'sideways' is invalid/);
    expect(await listFiles(source)).toHaveLength(3);
  });
});
