/** Flags and argument parsers that several commands share, declared once. */
import { InvalidArgumentError, Option } from 'commander';
import { FORMAT_NAMES } from '../formats/lake-formats.js';
import { parseHour, type Hour } from '../pipeline/hour.js';
import { SOURCE_LAYOUTS } from '../pipeline/source-object-name.js';

export function positiveInteger(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} must be a whole number of at least ${min}.`);
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
    new Option('--state <dir>', 'where eventlake keeps its own bookkeeping (default: .eventlake)').argParser(folderArgument('--state')),
    new Option('--json', 'print one JSON object for scripts instead of text'),
    new Option('--debug', 'show stack traces and list skipped objects'),
  ];
}

export const sourceOption = (): Option =>
  new Option('--source <dir>', 'folder holding the source objects').argParser(folderArgument('--source')).makeOptionMandatory();
export const lakeOption = (): Option => new Option('--lake <dir>', 'lake folder to write').argParser(folderArgument('--lake')).makeOptionMandatory();
export const hourOption = (): Option =>
  new Option('--hour <hour>', 'logical hour to process, e.g. 2019-06-01T15').argParser(hourArgument).makeOptionMandatory();
export const layoutOption = (): Option =>
  new Option('--layout <layout>', 'where the hour\'s objects are: flat (names at the root), nested (YYYY/MM/DD/HH/), any (any depth)')
    .choices(SOURCE_LAYOUTS)
    .default('any');
export const formatOption = (): Option => new Option('--format <format>', 'lake file format').choices(FORMAT_NAMES).default('parquet');
