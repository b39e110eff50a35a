/** The model compiler: dependencies inferred from references, refusals naming the file, macros from the dialect. */
import { describe, expect, it } from 'vitest';
import type { ModelDialect } from '../../src/warehouse/model-dialect.js';
import { compileModels } from '../../src/warehouse/model-compiler.js';
import { parseModel, type Model } from '../../src/warehouse/model-graph.js';

/** A dialect whose every macro says what it was asked. */
const stub = (name: 'duckdb' | 'snowflake'): ModelDialect => ({
  name,
  table: (t) => `${name}.${t}`,
  changesTable: (t) => `${name}.changes_${t}`,
  keysTable: (t) => `${name}.keys_${t}`,
  key: (e) => `KEY<${e.join('|')}>`,
  dateKey: (t) => `DATEKEY<${t}>`,
  minuteOfDay: (t) => `MINUTE<${t}>`,
  isoWeekday: (d) => `ISODOW<${d}>`,
});

const model = (name: string, text: string): Model => parseModel(name, text, `models/${name}.sql`);

const INCREMENTAL = `-- What it is.
-- materialized: incremental
-- unique_key: period_key
-- test: unique(period_key)
{% call changed_keys() %}
SELECT period_key FROM {{ changes('dim') }}
{% endcall %}
SELECT {{ key('organization_id', 'period_id') }} AS period_key, {{ date_key('at') }} AS d, {{ minute_of_day('at') }} AS m, {{ iso_weekday('day') }} AS w
FROM {{ ref('dim') }} AS p
{% if is_incremental() %}
WHERE p.period_key IN (SELECT period_key FROM {{ keys() }})
{% endif %}`;

describe('compileModels', () => {
  it('infers dependencies from ref() and changes(), orders by them, and compiles both SELECTs and the changed keys per dialect', () => {
    const models = [model('fact', INCREMENTAL), model('dim', "SELECT * FROM {{ ref('vehicle') }}")];
    const compiled = compileModels(models, stub('duckdb'), ['vehicle']);
    expect(compiled.map((m) => [m.name, m.dependsOn])).toEqual([
      ['dim', ['vehicle']],
      ['fact', ['dim']],
    ]);
    const fact = compiled[1];
    expect(fact).toMatchObject({ materialized: 'incremental', uniqueKey: ['period_key'], file: 'models/fact.sql', tests: [{ kind: 'unique', columns: ['period_key'] }] });
    expect(fact?.fullSelect).toBe('SELECT KEY<organization_id|period_id> AS period_key, DATEKEY<at> AS d, MINUTE<at> AS m, ISODOW<day> AS w\nFROM duckdb.dim AS p');
    expect(fact?.incrementalSelect).toContain('WHERE p.period_key IN (SELECT period_key FROM duckdb.keys_fact)');
    expect(fact?.changedKeys).toBe('SELECT period_key FROM duckdb.changes_dim');
    expect(compiled[0]).toMatchObject({ materialized: 'table', uniqueKey: [], incrementalSelect: null, changedKeys: null, fullSelect: 'SELECT * FROM duckdb.vehicle' });

    const other = compileModels(models, stub('snowflake'), ['vehicle']);
    expect(other[1]?.changedKeys).toBe('SELECT period_key FROM snowflake.changes_dim');
    expect(other[1]?.hash).not.toBe(fact?.hash);
    // The hash follows the compiled SQL, not the comments.
    const recommented = compileModels([model('fact', INCREMENTAL.replace('What it is.', 'Said otherwise.')), models[1] as Model], stub('duckdb'), ['vehicle']);
    expect(recommented[1]?.hash).toBe(fact?.hash);
  });

  it('refuses, in one sentence naming the file, a reference to nothing, a cycle and a depends_on header that disagrees', () => {
    expect(() => compileModels([model('a', "SELECT * FROM {{ ref('nowhere') }}")], stub('duckdb'), ['vehicle'])).toThrow(
      /^model models\/a\.sql refers to nowhere, which is neither a model nor a loaded table \(vehicle, a\)$/,
    );
    expect(() => compileModels([model('a', "SELECT * FROM {{ ref('b') }}"), model('b', "SELECT * FROM {{ changes('a') }}")], stub('duckdb'), [])).toThrow(
      /^model models\/a\.sql is in a cycle of models reading each other: a → b → a$/,
    );
    expect(() => model('a', "-- depends_on: vehicle, dim\nSELECT * FROM {{ ref('vehicle') }}")).toThrow(
      /^model models\/a\.sql: its depends_on header \(dim, vehicle\) disagrees with what it references \(vehicle\)$/,
    );
    expect(model('a', "-- depends_on: vehicle\nSELECT * FROM {{ ref('vehicle') }}").dependsOn).toEqual(['vehicle']);
  });

  it('refuses an incremental model without a unique key or changed keys, keys() outside the incremental branch, and template errors', () => {
    expect(() => model('a', '-- materialized: incremental\nSELECT 1')).toThrow(/^model models\/a\.sql: an incremental model needs a unique_key header/);
    expect(() => model('a', '-- materialized: incremental\n-- unique_key: k\nSELECT 1')).toThrow(/changed_keys\(\) %}SELECT …{% endcall %} block$/);
    expect(() => model('a', '-- materialized: sometimes\nSELECT 1')).toThrow(/^model models\/a\.sql: materialized is table or incremental, not "sometimes"$/);
    expect(() => model('a', 'SELECT * FROM {{ keys() }}')).toThrow(/^model models\/a\.sql: .*keys\(\) is only for the incremental SELECT/);
    expect(() => model('a', "SELECT\n{{ ref('x' }}")).toThrow(/^model models\/a\.sql: line 2: .*expected comma after expression/);
    expect(() => model('a', 'SELECT {{ nope() }}')).toThrow(/^model models\/a\.sql: .*nope/);
  });
});
