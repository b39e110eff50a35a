/**
 * What a run reads and writes, resolved once for every runtime: the CLI's flags over the config
 * (which already holds the environment's EVENTLAKE_* overrides), checked the same way whether the
 * laptop or the cloud's scheduled fan-out asks. A location or codec that is wrong is named by
 * where it came from: the flag, the environment variable, or the config key.
 */
import { envVariableName } from '../config/env-overrides.js';
import type { EventlakeConfig } from '../config/resolved-config.js';
import { UserError } from '../errors/user-error.js';
import type { FormatName, LakeFormat } from '../formats/lake-format.js';
import { loadLakeFormat } from '../formats/lake-formats.js';
import { MAX_LINE_BYTES } from '../pipeline/line-splitter.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';
import { parseLocation } from '../storage/location.js';
import type { RunRequest } from './run-store.js';

/** What a person may set on the command line; each overrides its config key. */
export interface RunRequestFlags {
  readonly source?: string;
  readonly lake?: string;
  readonly layout?: SourceLayout;
  readonly format?: FormatName;
  readonly codec?: string;
  readonly targetFileMb?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The codec asked for, or the format's default; one sentence naming where it came from when the format has no such codec. */
export function checkCodec(format: LakeFormat, codec: string | undefined, from = '--codec'): string {
  const chosen = codec ?? (format.codecs[0] as string);
  if (!format.codecs.includes(chosen)) {
    throw new UserError(`${from} ${chosen} is not available for ${format.name}; use ${format.codecs.join(' or ')}`);
  }
  return chosen;
}

/** Where a setting came from, for the sentence that names it: the flag, else the variable, else the config key. */
function origin(flag: string, flagGiven: boolean, path: readonly string[], env: Env): string {
  if (flagGiven) return flag;
  const variable = envVariableName(path);
  return env[variable] !== undefined ? variable : path.join('.');
}

export async function resolveRunRequest(config: EventlakeConfig, flags: RunRequestFlags = {}, env: Env = process.env): Promise<RunRequest> {
  const formatName = flags.format ?? config.lake.format;
  const format = await loadLakeFormat(formatName);
  return {
    source: parseLocation(flags.source ?? config.source.path, origin('--source', flags.source !== undefined, ['source', 'path'], env)),
    lake: parseLocation(flags.lake ?? config.lake.path, origin('--lake', flags.lake !== undefined, ['lake', 'path'], env)),
    layout: flags.layout ?? config.source.layout,
    format: formatName,
    codec: checkCodec(format, flags.codec ?? config.lake.codec, origin('--codec', flags.codec !== undefined, ['lake', 'codec'], env)),
    targetFileBytes: (flags.targetFileMb ?? config.lake.targetFileMb) * 1024 * 1024,
    maxLineBytes: MAX_LINE_BYTES,
    timezone: config.source.timezone,
  };
}
