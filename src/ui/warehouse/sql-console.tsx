/**
 * The read-only SQL console: POST /api/sql {sql, explain}; the result as a table (at most 1,000
 * rows), the server's error as it gives it, and with "Explain" what the query reads of the lake.
 * Ctrl+Enter runs the query too; Cancel (POST /api/sql/cancel) stops the query running.
 */
import { useState } from 'preact/hooks';
import type { SqlAnswer, SqlCancelAnswer, SqlRequestBody } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';
import { ScrollBox } from '../components/scroll-box.js';
import { Text } from '../components/text.js';
import { formatCount } from '../format/figures.js';
import { ExplainReport } from './explain-report.js';

const FIRST_QUERY = 'SELECT * FROM fact_vehicle_location LIMIT 20';
/** The server's sentence for a query cancelled with POST /api/sql/cancel (src/warehouse/console/console-refusal.ts). */
const CANCELLED = 'the query was cancelled';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function ResultTable({ answer }: { answer: SqlAnswer }) {
  return (
    <div data-testid="sql-answer">
      <p class="muted small" data-testid="sql-summary">
        {formatCount(answer.rows.length)} row(s){answer.truncated ? ' (the first 1,000; there are more)' : ''} in {answer.ms.toFixed(0)} ms
      </p>
      <ScrollBox label="query result" tall>
        <table class="data" data-testid="sql-result">
          <thead>
            <tr>
              {answer.columns.map((c) => (
                <th key={c}>
                  <Text value={c} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {answer.rows.map((row, i) => (
              <tr key={i}>
                {answer.columns.map((c) => {
                  const value = row[c];
                  return (
                    <td key={c} class={value === null || value === undefined ? 'null' : typeof value === 'number' ? 'num' : ''}>
                      <Text value={cellText(value)} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </div>
  );
}

export function SqlConsole() {
  const [sql, setSql] = useState(FIRST_QUERY);
  const [explain, setExplain] = useState(false);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<SqlAnswer>();
  const [error, setError] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const [cancelledNote, setCancelledNote] = useState(false);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    try {
      await postJson<SqlCancelAnswer>('/api/sql/cancel', {});
    } catch (err) {
      setError(asFailure(err).message);
    }
  };

  const run = async (): Promise<void> => {
    if (sql.trim() === '') {
      setError('Write a query first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setCancelledNote(false);
    setCancelling(false);
    try {
      setAnswer(await postJson<SqlAnswer>('/api/sql', { sql, explain } satisfies SqlRequestBody));
    } catch (err) {
      setAnswer(undefined);
      const failure = asFailure(err);
      // Cancelled on purpose: said plainly, not as an error.
      if (failure.message === CANCELLED) setCancelledNote(true);
      else setError(failure.message);
    } finally {
      setBusy(false);
      setCancelling(false);
    }
  };

  return (
    <section class="panel" data-testid="sql-console">
      <h2>SQL (read-only)</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <textarea
          class="sql"
          rows={6}
          spellcheck={false}
          value={sql}
          aria-label="SQL query"
          data-testid="sql-input"
          onInput={(e) => setSql(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void run();
            }
          }}
        />
        <div class="row">
          <button type="submit" class="primary" disabled={busy} data-testid="sql-run">
            {busy ? 'Running…' : 'Run'}
          </button>
          {busy && (
            <button type="button" disabled={cancelling} onClick={() => void cancel()} data-testid="sql-cancel">
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          <label>
            <input type="checkbox" checked={explain} onChange={(e) => setExplain(e.currentTarget.checked)} data-testid="sql-explain" /> Explain
          </label>
          <span class="muted small">Ctrl+Enter runs it. Tables: fact_vehicle_location, fact_period_vehicle_distance, dim_vehicle, dim_operating_period, dim_date, dim_time, bi_avg_distance.</span>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {cancelledNote && (
          <p class="note" data-testid="sql-cancelled">
            Cancelled: the query was stopped.
          </p>
        )}
      </div>
      <ErrorNote error={error} testid="sql-error" />
      {answer?.explain && <ExplainReport explain={answer.explain} />}
      {answer && <ResultTable answer={answer} />}
    </section>
  );
}
