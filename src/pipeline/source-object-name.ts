/**
 * Source object names: `YYYY-MM-DD-HH-M-S-events.<json|jsonl|txt>[.gz]`, minute and second
 * padded or not, at any depth. The name, not the events inside, decides the logical hour.
 */
import type { Hour } from './hour.js';

const NAME = /(?:^|\/)(\d{4}-\d{2}-\d{2})-(\d{1,2})-(\d{1,2})-(\d{1,2})-events\.(?:json|jsonl|txt)(\.gz)?$/;

export interface SourceObjectName {
  readonly date: string;
  readonly hour: string;
  readonly minute: number;
  readonly second: number;
  readonly gzip: boolean;
}

export function parseSourceObjectName(key: string): SourceObjectName | undefined {
  const m = NAME.exec(key);
  if (!m) return undefined;
  const [, date, hh, mm, ss, gz] = m as unknown as [string, string, string, string, string, string | undefined];
  const hour = Number(hh);
  const minute = Number(mm);
  const second = Number(ss);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // An impossible date (2019-02-30) is no hour's object: it is skipped, not silently ignored.
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, mo - 1, d));
  day.setUTCFullYear(y);
  if (mo < 1 || mo > 12 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  return { date, hour: String(hour).padStart(2, '0'), minute, second, gzip: gz !== undefined };
}


/**
 * How source objects are laid out, so an hour can be listed by prefix:
 * `flat` — names at the root, like the original bucket; `nested` — under `YYYY/MM/DD/HH/`;
 * `any` — at any depth (the whole store is listed).
 */
export const SOURCE_LAYOUTS = ['any', 'flat', 'nested'] as const;
export type SourceLayout = (typeof SOURCE_LAYOUTS)[number];

export function hourPrefixes(hour: Hour, layout: SourceLayout): string[] {
  switch (layout) {
    case 'any':
      return [''];
    case 'nested':
      return [`${hour.date.replaceAll('-', '/')}/${hour.hour}/`];
    case 'flat': {
      // Producers write the hour padded or not: 2019-06-01-05-… and 2019-06-01-5-….
      const unpadded = String(Number(hour.hour));
      return unpadded === hour.hour ? [`${hour.date}-${hour.hour}-`] : [`${hour.date}-${hour.hour}-`, `${hour.date}-${unpadded}-`];
    }
  }
}
