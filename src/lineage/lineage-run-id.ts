/**
 * OpenLineage run ids are UUIDs; eventlake's runs have ids of their own (`2019-06-01T15-k3x9`).
 * A name-based UUID (version 5, RFC 9562) of eventlake's id is the same in every process that
 * reports on the run, so a START written by one process and a FAIL by another share it.
 */
import { createHash, randomUUID } from 'node:crypto';

/** This module's own namespace UUID (random once, fixed forever). */
const EVENTLAKE_NAMESPACE = Buffer.from('5b0f2a8e6c1d4e7fa3b2c9d08e4f1a67', 'hex');

export function lineageRunId(name: string): string {
  const hash = createHash('sha1').update(EVENTLAKE_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A run with no id of its own (a warehouse build): a fresh random UUID. */
export function newLineageRunId(): string {
  return randomUUID();
}
