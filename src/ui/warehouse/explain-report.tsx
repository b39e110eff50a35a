/** What a query read of the lake (files and partitions of all there are), the warning, and the plan. */
import type { ExplainView } from '../../app/api-views.js';
import { Disclosure } from '../components/disclosure.js';
import { formatCount } from '../format/figures.js';

export function ExplainReport({ explain }: { explain: ExplainView }) {
  return (
    <div class="explain" data-testid="explain-report">
      <h3>What the query reads</h3>
      <dl class="facts">
        <dt>files</dt>
        <dd data-testid="explain-files">
          {formatCount(explain.files_read)} of {formatCount(explain.files_total)}
        </dd>
        <dt>partitions</dt>
        <dd data-testid="explain-partitions">
          {formatCount(explain.partitions_read)} of {formatCount(explain.partitions_total)}
        </dd>
      </dl>
      {explain.warning && (
        <p class="note note-warn" data-testid="explain-warning">
          {explain.warning}
        </p>
      )}
      <Disclosure summary="plan" testid="explain-plan">
        <pre class="plan">{typeof explain.plan === 'string' ? explain.plan : JSON.stringify(explain.plan, null, 2)}</pre>
      </Disclosure>
    </div>
  );
}
