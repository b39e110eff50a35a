/**
 * The direction of dependencies, checked by `npm test` (dependency-cruiser):
 * events ← pipeline ← runtime / app ← http ← cli, and adapters reached only through their registries.
 */
const ADAPTERS = '^src/(storage/(local|s3)|formats/(parquet|avro)|orchestration/(json|sqlite)|runtime/local|warehouse/(duckdb|snowflake))/';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'events-stand-alone',
      comment: 'Entities know nothing of the pipeline, formats, storage or runtimes.',
      severity: 'error',
      from: { path: '^src/events/' },
      to: { path: '^src/', pathNot: '^src/(events|errors)/' },
    },
    {
      name: 'pipeline-below-runtime-and-app',
      comment: 'The stages see ports only: no runtime, application, CLI, orchestration or adapter.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: ['^src/(runtime|app|cli|orchestration|duckdb|generate)/', ADAPTERS] },
    },
    {
      name: 'ports-below-adapters',
      comment: 'Formats and storage ports do not reach up into runtimes, the application or the CLI.',
      severity: 'error',
      from: { path: '^src/(formats|storage|duckdb)/' },
      to: { path: '^src/(runtime|app|cli|orchestration)/' },
    },
    {
      name: 'runtime-below-app',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'app-below-cli',
      comment: 'The application layer is what the CLI and the HTTP API call; it prints nothing itself.',
      severity: 'error',
      from: { path: '^src/(app|orchestration)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'http-between-cli-and-app',
      comment: 'The HTTP API calls the application layer as the CLI does; nothing below it knows HTTP, and it knows no CLI.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http|cli)/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'browser-ui-stands-alone',
      comment: 'The browser UI talks to the server over HTTP only: it shares the API views (types) and nothing else.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/', pathNot: ['^src/ui/', '^src/app/api-views\\.ts$'] },
    },
    {
      name: 'http-below-cli',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'adapters-only-through-registries',
      comment: 'An adapter is loaded by its registry (by kind), or used inside its own folder.',
      severity: 'error',
      from: { path: '^src/', pathNot: [ADAPTERS, '^src/[^/]+/[^/]*-registry\\.ts$', '^src/formats/lake-formats\\.ts$'] },
      to: { path: ADAPTERS },
    },
    {
      name: 'duckdb-only-where-needed',
      comment: 'DuckDB is loaded where Parquet is finished (and by the warehouse), never by the core.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(formats/parquet|warehouse|duckdb)/' },
      to: { path: ['^src/duckdb/', '^node_modules/@duckdb/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
