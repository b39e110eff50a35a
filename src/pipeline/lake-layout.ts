/**
 * Where things live in a lake, as `/`-separated keys relative to the lake's root. This module is
 * the only place that knows the lake's path names: partitions, part files, the quarantine,
 * the staging area of runs and the leases.
 */
import type { Hour } from './hour.js';

/** The quarantine is a partitioned table of its own, beside the entities. */
export const QUARANTINE = '_quarantine';
/** Runs write here before their partitions are published. */
const STAGING = '_staging';
/** One lease file per partition key (an hour). */
const LEASES = '_leases';
/** On an object store without renames, one manifest per hour lists its current parts. */
const MANIFESTS = '_manifests';
/** Cloud runs record their progress here, so status needs no database. */
const RUNS = '_runs';

/** `vehicle/date=2019-06-01/hour=15` */
export function partitionOf(table: string, hour: Hour): string {
  return `${table}/date=${hour.date}/hour=${hour.hour}`;
}

/** The table a partition belongs to: `vehicle` for `vehicle/date=…/hour=…`. */
export function tableOf(partition: string): string {
  return partition.slice(0, partition.indexOf('/'));
}

/** `part-00000.parquet`: parts are numbered from zero in row order. */
export function partFileName(index: number, extension: string): string {
  return `part-${String(index).padStart(5, '0')}.${extension}`;
}

export const stagingRoot = STAGING;

/** The run's own area: its scratch space and the parts it stages for publishing. */
export function runArea(runId: string): string {
  return `${STAGING}/${runId}`;
}

/** Scratch space for the run's tasks and finishing. */
export function runScratch(runId: string): string {
  return `${runArea(runId)}/work`;
}

/** A task's outputs within the run's scratch, keyed by its id so a task processed twice overwrites its own files. */
export function taskScratch(taskId: string): string {
  return `tasks/${taskId}`;
}

/** Where the finish stage writes a partition's parts within the run's scratch. */
export function finishScratch(partition: string): string {
  return `final/${partition}`;
}

/** Where a partition's parts wait for publishing. */
export function stagedPartition(runId: string, partition: string): string {
  return `${runArea(runId)}/new/${partition}`;
}

/** Where the published partition's previous copy is moved aside during the swap. */
export function replacedPartition(runId: string, partition: string): string {
  return `${runArea(runId)}/old/${partition}`;
}

export function publishJournal(runId: string): string {
  return `${runArea(runId)}/publish.json`;
}

/** Runs are named `<hour>-<random>`, so a run's hour is known from its name alone. */
export function runIdFor(hour: Hour, suffix: string): string {
  return `${hour.label}-${suffix}`;
}

export function isRunOfHour(runId: string, partitionKey: string): boolean {
  return runId.startsWith(`${partitionKey}-`);
}

/** The hour a run is of: its name before the last `-` (the suffix of runIdFor has none). */
export function partitionKeyOfRun(runId: string): string {
  return runId.slice(0, runId.lastIndexOf('-'));
}

/** A small object a lake on a bucket writes and deletes to check it may write at all. */
export function writeProbeKey(id: string): string {
  return `${STAGING}/write-probe-${id}`;
}

export function leaseKey(partitionKey: string): string {
  return `${LEASES}/${partitionKey}.lease`;
}

/**
 * On a local lake, which run's publish the hour holds and when its plan was made (a publisher's
 * order check reads it): kept beside the hour's lease, out of the partitions readers list.
 */
export function publicationRecordKey(partitionKey: string): string {
  return `${LEASES}/${partitionKey}.published.json`;
}

/** The hour's manifest on an object-store lake: the parts readers should read, with their etags. */
export function hourManifestKey(partitionKey: string): string {
  return `${MANIFESTS}/${partitionKey}.json`;
}

export const hourManifestsRoot = MANIFESTS;

/** A cloud run's record: its plan, then its outcome. */
export function runRecordKey(partitionKey: string, runId: string): string {
  return `${RUNS}/${partitionKey}/${runId}.json`;
}

export const runRecordsRoot = RUNS;

/** Where a task run away from the lake (a Lambda) uploads its outputs, keyed by task id. */
export function stagedTaskOutputs(runId: string, taskId: string): string {
  return `${runArea(runId)}/tasks/${taskId}`;
}

/** Written last by a task run away from the lake: its outputs, as keys. */
export function taskDoneKey(runId: string, taskId: string): string {
  return `${runArea(runId)}/done/${taskId}.json`;
}

export function taskDonePrefix(runId: string): string {
  return `${runArea(runId)}/done/`;
}

/** Created by the one invocation that closes the run's hour (a conditional create). */
export function closeClaimKey(runId: string): string {
  return `${runArea(runId)}/close.json`;
}
