/**
 * Validates OpenLineage events offline: the official spec 2-0-2 schema and facet schemas vendored
 * in test/fixtures/openlineage/, and eventlake's own facet schemas from src/lineage/facets/. Each
 * facet is checked against the schema its `_schemaURL` names (which must be one of these).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const VENDORED = resolve('test/fixtures/openlineage');
const OWN = resolve('src/lineage/facets');

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name));
}

export interface OpenLineageValidator {
  /** Every problem with the event and its facets, as `where: message`; empty when it is valid. */
  problems(event: unknown): string[];
  /** The `$id`s of eventlake's own facet schemas. */
  readonly ownSchemas: readonly string[];
}

export function openLineageValidator(): OpenLineageValidator {
  // Not strict: the official schemas use `example` and `required` inside `not`, which strict mode refuses.
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const ownSchemas: string[] = [];
  for (const file of [...schemaFiles(VENDORED), ...schemaFiles(OWN)]) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    if (file.startsWith(OWN)) ownSchemas.push(schema.$id);
  }
  const check = (url: unknown, value: unknown, where: string): string[] => {
    if (typeof url !== 'string') return [`${where}: no schema URL`];
    const validate = ajv.getSchema(url);
    if (!validate) return [`${where}: no schema ${url}`];
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${where}${e.instancePath}: ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
  const facets = (group: unknown, where: string): string[] =>
    Object.entries((group ?? {}) as Record<string, { _schemaURL?: unknown }>).flatMap(([name, facet]) => check(facet._schemaURL, facet, `${where}.${name}`));
  return {
    ownSchemas,
    problems(event) {
      const e = event as {
        schemaURL?: unknown;
        run?: { facets?: unknown };
        job?: { facets?: unknown };
        inputs?: { facets?: unknown; inputFacets?: unknown }[];
        outputs?: { facets?: unknown; outputFacets?: unknown }[];
      };
      return [
        ...check(e.schemaURL, event, 'event'),
        ...facets(e.run?.facets, 'run.facets'),
        ...facets(e.job?.facets, 'job.facets'),
        ...(e.inputs ?? []).flatMap((d, i) => [...facets(d.facets, `inputs[${i}].facets`), ...facets(d.inputFacets, `inputs[${i}].inputFacets`)]),
        ...(e.outputs ?? []).flatMap((d, i) => [...facets(d.facets, `outputs[${i}].facets`), ...facets(d.outputFacets, `outputs[${i}].outputFacets`)]),
      ];
    },
  };
}
