/**
 * The state's identity, kept twice: as the mark `state.id` inside the database and in the
 * sibling file `eventlake.db.id`, written when the database is first opened. The sibling file
 * outlives the database: a folder that has it but no database (or another database) had a
 * state that is gone, and a new command must not start a second, empty history there.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const STATE_ID_MARK = 'state.id';

export function markerPath(databasePath: string): string {
  return `${databasePath}.id`;
}

/** The id the marker file records, or undefined when there is none. */
export function readMarker(databasePath: string): string | undefined {
  try {
    return readFileSync(markerPath(databasePath), 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Records `id` unless a marker is there already; answers the id the marker holds. */
export function writeMarker(databasePath: string, id: string): string {
  try {
    writeFileSync(markerPath(databasePath), `${id}\n`, { flag: 'wx' });
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readMarker(databasePath) ?? id;
  }
}
