/**
 * Keeps the warehouse up to date behind `eventlake up`: a build after each hour that succeeds,
 * one at a time; hours that succeed during a build are picked up by one more build after it.
 */
import { buildWarehouse } from './warehouse.js';
import type { WarehouseBuildReport } from '../warehouse/embedded-warehouse.js';

export class WarehouseRefresher {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly stateDir: string,
    private readonly lakeRoot: string,
    private readonly onBuilt: (report: WarehouseBuildReport) => void,
    private readonly onFailed: (err: Error) => void,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = buildWarehouse(this.stateDir, this.lakeRoot)
      .then(this.onBuilt, (err: unknown) => this.onFailed(err as Error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Whether a build is under way (a stop at once leaves the published warehouse as it was). */
  get building(): boolean {
    return this.running !== undefined;
  }

  /** Waits for the build in progress, if any (a clean stop). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }
}
