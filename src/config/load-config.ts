/**
 * Loads the configuration: the file (given, named by EVENTLAKE_CONFIG, or found in the working
 * folder), the environment on top, every default filled and every path made absolute.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../errors/user-error.js';
import { isS3Location } from '../storage/location.js';
import { describeIssue } from './config-issue.js';
import { defaultConfig } from './config-defaults.js';
import { applyOverrides, hasConfigVariables, readEnvOverrides, type EnvOverride } from './env-overrides.js';
import type { EventlakeConfig } from './eventlake-config.js';
import { parseConfigText, type ConfigSyntax } from './parse-config-text.js';
import { scalarKeys } from './scalar-keys.js';
import { wordList } from './word-list.js';

/** Looked for in the working folder when no file is named; at most one may be there. */
export const CONFIG_FILE_NAMES = ['eventlake.config.json', 'eventlake.config.yaml', 'eventlake.config.yml'] as const;

export interface LoadConfigOptions {
  /** The folder to look in, and what environment paths are relative to. */
  readonly cwd: string;
  /** `--config`: this file and no other. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly config: EventlakeConfig;
  /** The file read, absolute; undefined when every value is a default or from the environment. */
  readonly file: string | undefined;
}

interface ConfigFile {
  readonly path: string;
  /** The file as the person would name it in a message. */
  readonly origin: string;
}

export async function loadConfig({ cwd, file, env }: LoadConfigOptions): Promise<LoadedConfig> {
  const found = await findConfigFile(cwd, file, env['EVENTLAKE_CONFIG']);
  // Nothing to read or check: the defaults as they are, without loading the schema (config-defaults.ts).
  if (!found && !hasConfigVariables(env)) return { config: withAbsolutePaths(defaultConfig(), cwd, cwd, []), file: undefined };
  const { eventlakeConfigSchema } = await import('./eventlake-config.js');
  const raw = found ? parseConfigText(await readFile(found.path, 'utf8'), syntaxOf(found.path), found.origin) : {};
  const overrides = readEnvOverrides(env, scalarKeys(eventlakeConfigSchema));
  const result = eventlakeConfigSchema.safeParse(applyOverrides(raw, overrides));
  if (!result.success) {
    // One sentence: the first problem; fixing it reveals the next.
    const [issue] = result.error.issues;
    throw new UserError(issue ? describeIssue(issue, found?.origin, overrides) : `${found?.origin ?? 'the configuration'} is not valid`);
  }
  return { config: withAbsolutePaths(result.data, found ? dirname(found.path) : cwd, cwd, overrides), file: found?.path };
}

async function findConfigFile(cwd: string, file: string | undefined, fromEnv: string | undefined): Promise<ConfigFile | undefined> {
  if (file !== undefined) return named(cwd, file, '');
  if (fromEnv) return named(cwd, fromEnv, ' (named by EVENTLAKE_CONFIG)');
  const present: string[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    if ((await kindOf(resolve(cwd, name))) === 'file') present.push(name);
  }
  if (present.length > 1) throw new UserError(`found ${wordList(present, 'and')} in ${cwd}; keep one, or choose one with --config`);
  const [name] = present;
  return name === undefined ? undefined : { path: resolve(cwd, name), origin: name };
}

async function named(cwd: string, file: string, source: string): Promise<ConfigFile> {
  const path = resolve(cwd, file);
  const kind = await kindOf(path);
  if (kind === 'missing') throw new UserError(`config file ${file}${source} does not exist`);
  if (kind === 'folder') throw new UserError(`config file ${file}${source} is a folder, not a file`);
  return { path, origin: file };
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/** `.json` is JSON; anything else is YAML, which reads most JSON too. */
function syntaxOf(path: string): ConfigSyntax {
  return extname(basename(path)).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/**
 * A relative path from the file is relative to the file's folder; one from the environment, to cwd.
 * A bucket (`s3://…`) is a location, not a path: it stays as written, so it parses the same from a
 * flag, the file or the environment. The state is always a local folder.
 */
function withAbsolutePaths(config: EventlakeConfig, fileDir: string, cwd: string, overrides: readonly EnvOverride[]): EventlakeConfig {
  const absolute = (value: string, ...path: string[]): string => {
    const override = overrides.find((o) => o.path.join('.') === path.join('.'));
    const fromEnv = override !== undefined;
    if (isS3Location(value)) {
      if (path[0] === 'state') throw new UserError(`${override?.variable ?? 'state'} ${value} is a bucket; the state is a local folder (the cloud runtime keeps its runs in the lake)`);
      return value;
    }
    return resolve(fromEnv ? cwd : fileDir, value);
  };
  return {
    ...config,
    source: { ...config.source, path: absolute(config.source.path, 'source', 'path') },
    lake: { ...config.lake, path: absolute(config.lake.path, 'lake', 'path') },
    state: absolute(config.state, 'state'),
  };
}
