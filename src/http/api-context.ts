/** What the API's routes work with: the same application layer the CLI calls. */
import type { Orchestrator, RunTarget } from '../app/orchestrator.js';
import type { RequestedRuns } from '../app/requested-runs.js';
import type { WarehouseRefresher } from '../app/warehouse-refresher.js';

export interface ApiContext {
  readonly mode: 'up' | 'serve';
  readonly orchestrator: Orchestrator;
  readonly target: RunTarget;
  readonly requested: RequestedRuns;
  readonly warehouse: WarehouseRefresher;
  readonly version: string;
  readonly auth: boolean;
}
