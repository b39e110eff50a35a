/** One text line → an entity row, or the reason it is quarantined. */
import type { Entity, RowValue } from '../events/entity.js';
import type { EntityRegistry } from '../events/entity-registry.js';
import { readEnvelope } from '../events/envelope.js';

export type DecodedLine =
  | { readonly entity: Entity; readonly row: RowValue[] }
  | { readonly error: string };

export function decodeLine(text: string, registry: EntityRegistry): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
  const envelope = readEnvelope(value);
  if ('error' in envelope) return envelope;
  const entity = registry.get(envelope.envelope.on);
  if (!entity) return { error: `unknown entity "on": ${JSON.stringify(envelope.envelope.on)}` };
  const result = entity.toRow(envelope.envelope);
  if ('error' in result) return result;
  return { entity, row: result.row };
}
