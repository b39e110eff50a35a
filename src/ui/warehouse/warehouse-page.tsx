/**
 * `#/warehouse`: build the embedded warehouse from the lake, the BI answer (table and bar chart),
 * the tracks of an operating period, and the read-only SQL console. Before a build the server
 * answers 409 "no warehouse yet" on these reads: their sentences are shown where the data would be.
 */
import { useState } from 'preact/hooks';
import type { WarehouseBuildAnswer } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';
import { AvgDistance } from './avg-distance.js';
import { SqlConsole } from './sql-console.js';
import { TracksPanel } from './tracks-panel.js';

function BuildButton({ onBuilt }: { onBuilt: () => void }) {
  const [busy, setBusy] = useState(false);
  const [built, setBuilt] = useState<WarehouseBuildAnswer>();
  const [error, setError] = useState<string>();
  const build = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setBuilt(undefined);
    try {
      setBuilt(await postJson<WarehouseBuildAnswer>('/api/warehouse/build', {}));
      onBuilt();
    } catch (err) {
      setError(asFailure(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="row">
      <button type="button" class="primary" disabled={busy} onClick={build} data-testid="warehouse-build">
        {busy ? 'Building…' : 'Build warehouse'}
      </button>
      <span class="muted small">Rebuilds the embedded warehouse from the lake.</span>
      {/* Announced when it appears: the result of a build that may take a while. */}
      <span role="status" aria-live="polite">
        {built && (
          <span class="note-inline" data-testid="warehouse-build-result">
            loaded {built.loaded.length} partition(s) in {built.seconds.toFixed(1)} s
          </span>
        )}
      </span>
      <ErrorNote error={error} testid="warehouse-build-error" />
    </div>
  );
}

export function WarehousePage() {
  // Bumped by a build: the answers below are loaded again from the new warehouse.
  const [builds, setBuilds] = useState(0);
  return (
    <main class="page" data-testid="warehouse-page">
      <h1>Warehouse</h1>
      <BuildButton onBuilt={() => setBuilds((n) => n + 1)} />
      <AvgDistance key={`avg-${builds}`} />
      <TracksPanel key={`tracks-${builds}`} />
      <SqlConsole />
    </main>
  );
}
