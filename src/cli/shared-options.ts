/** Flags and argument parsers that several commands share, declared once. */
import { InvalidArgumentError, Option } from 'commander';
import { FORMAT_NAMES } from '../formats/lake-formats.js';
import { parseHour, type Hour } from '../pipeline/hour.js';
import { SOURCE_LAYOUTS } from '../pipeline/source-object-name.js';
import { parseLocation } from '../storage/location.js';
import { MAX_WORKERS } from '../config/config-defaults.js';

export function positiveInteger(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${flag} must be a whole number of at least ${min}.` : `${flag} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

export function hourArgument(value: string): Hour {
  const hour = parseHour(value);
  if (!hour) throw new InvalidArgumentError('expected an hour like 2019-06-01T15.');
  return hour;
}

/** A folder flag: an empty value (an unset shell variable, say) must not mean "here". */
export function folderArgument(flag: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} must name a folder, not be empty.`);
    return value;
  };
}

/** Flags every command takes, before or after its name. */
export function globalOptions(): Option[] {
  return [
    new Option('--state <dir>', 'where eventlake keeps its runs, queue and logs (default: .eventlake)').argParser(folderArgument('--state')),
    new Option('--config <file>', 'config file (default: eventlake.config.json or .yaml here, if any)').argParser(folderArgument('--config')),
    new Option('--json', 'print one JSON object for scripts instead of text'),
    new Option('--debug', 'show stack traces and list skipped objects'),
  ];
}

/** A folder or `s3://bucket/prefix` flag, checked as it is parsed so the error names the flag. */
export function locationArgument(flag: string) {
  const folder = folderArgument(flag);
  return (value: string): string => {
    folder(value);
    try {
      parseLocation(value, flag);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return value;
  };
}

export const sourceOption = (): Option =>
  new Option('--source <dir|s3-url>', 'folder or s3://bucket/prefix holding the source objects (config source.path)').argParser(locationArgument('--source'));
export const lakeOption = (): Option =>
  new Option('--lake <dir|s3-url>', 'lake folder or s3://bucket/prefix to write (config lake.path)').argParser(locationArgument('--lake'));
export const hourOption = (): Option =>
  new Option('--hour <hour>', 'logical hour to process, e.g. 2019-06-01T15').argParser(hourArgument).makeOptionMandatory();
export const layoutOption = (): Option =>
  new Option('--layout <layout>', 'where the hour\'s objects are: flat (names at the root), nested (YYYY/MM/DD/HH/), any (any depth; config source.layout)').choices(
    SOURCE_LAYOUTS,
  );
export const formatOption = (): Option => new Option('--format <format>', 'lake file format (config lake.format, default parquet)').choices(FORMAT_NAMES);

/** The flags that say what a run reads and writes, shared by run, trigger, backfill and up. */
export function targetOptions(): Option[] {
  return [
    sourceOption(),
    lakeOption(),
    layoutOption(),
    formatOption(),
    new Option('--codec <codec>', 'compression: zstd|snappy for parquet, deflate|snappy for avro'),
    new Option('--workers <n>', 'worker threads (config workers, default one per core)').argParser(positiveInteger('--workers', 1, MAX_WORKERS)),
    new Option('--target-file-mb <mb>', 'target size of a lake file, in MiB (config lake.targetFileMb)').argParser(positiveInteger('--target-file-mb')),
  ];
}
