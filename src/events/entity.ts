/**
 * The entity port: one module per value of the envelope's `on` field.
 * An entity declares its row columns and turns a validated envelope into one row.
 */
import type { Envelope } from './envelope.js';

export type ColumnType = 'string' | 'timestamp' | 'double';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether the column may hold null. */
  readonly nullable: boolean;
}

/** A row's values in column order: strings, doubles, timestamps as epoch milliseconds, or null. */
export type RowValue = string | number | null;

/** The row, or the reason the event is invalid for this entity. */
export type EntityResult = { readonly row: RowValue[] } | { readonly error: string };

/**
 * Where each column's value lies in a line's bytes: `[start, end)` pairs in column order,
 * start -1 for null. Strings are raw (no escapes), doubles plain decimals, timestamps
 * canonical `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */
export type FieldSpans = Int32Array;

export interface Entity {
  /** The envelope's `on` value, also the lake folder name. */
  readonly name: string;
  readonly columns: readonly Column[];
  toRow(envelope: Envelope): EntityResult;
  /**
   * Optional fast path: recognises this entity's most common line shape byte by byte from
   * `start`, never past `limit` nor across a line break, and fills `spans`. Returns where the
   * recognised JSON object ends (the caller checks that the line ends there too), or -1 for
   * anything else, which then goes through JSON.parse and toRow. It must never accept a line
   * toRow would reject, nor read a value differently.
   */
  scanLine?(buf: Uint8Array, start: number, limit: number, spans: FieldSpans): number;
}
