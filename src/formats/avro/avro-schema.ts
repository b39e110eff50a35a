/**
 * Avro schema of an entity's rows, as a Snowflake `TYPE = AVRO` stage or any Avro reader
 * expects: timestamps as `long` with logicalType `timestamp-millis`, nullable fields as
 * `["null", T]` unions.
 */
import type { Column, Entity } from '../../events/entity.js';

type AvroType = string | Record<string, unknown> | (string | Record<string, unknown>)[];

function baseType(column: Column): string | Record<string, unknown> {
  switch (column.type) {
    case 'string':
      return 'string';
    case 'double':
      return 'double';
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-millis' };
  }
}

function fieldType(column: Column): AvroType {
  const base = baseType(column);
  return column.nullable ? ['null', base] : base;
}

export function avroSchema(entity: Entity): Record<string, unknown> {
  return {
    type: 'record',
    name: entity.name,
    namespace: 'eventlake',
    fields: [
      ...entity.columns.map((c) => ({ name: c.name, type: fieldType(c) })),
      { name: 'source_object', type: 'string' },
      { name: 'source_line', type: 'long' },
    ],
  };
}
