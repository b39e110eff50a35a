/** Scheduler presence, progress and marks in the state database: tables `schedulers` and `marks`. */
import { ownerAlive } from '../process-identity.js';
import type { SchedulerPresence, SchedulerState } from '../scheduler-state.js';
import { preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

interface SchedulerRow {
  owner: string;
  lake: string;
  source: string;
  since: number;
  ticks: number;
  last_tick_at: number | null;
  late_checks: number;
}

export class SqliteSchedulerState implements SchedulerState {
  private readonly prepare: Prepare;

  /** `now`: the clock `register` stamps `since` with (tests inject one). */
  constructor(
    private readonly db: StateDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = preparedStatements(db);
  }

  async register(owner: string, info: { lake: string; source: string }): Promise<void> {
    this
      .prepare(`INSERT INTO schedulers (owner, lake, source, since) VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO NOTHING`)
      .run(owner, info.lake, info.source, this.now());
  }

  async unregister(owner: string): Promise<void> {
    this.prepare(`DELETE FROM schedulers WHERE owner = ?`).run(owner);
  }

  async recordTick(owner: string, at: Date, lateCheck: boolean): Promise<void> {
    // Once per tick (5 s by default): one indexed UPDATE.
    this
      .prepare(`UPDATE schedulers SET ticks = ticks + 1, last_tick_at = ?, late_checks = late_checks + ? WHERE owner = ?`)
      .run(at.getTime(), lateCheck ? 1 : 0, owner);
  }

  async live(): Promise<SchedulerPresence[]> {
    const rows = this
      .prepare(`SELECT owner, lake, source, since, ticks, last_tick_at, late_checks FROM schedulers ORDER BY since, owner`)
      .all() as SchedulerRow[];
    const alive = rows.filter((r) => ownerAlive(r.owner));
    for (const dead of rows.filter((r) => !alive.includes(r))) await this.unregister(dead.owner);
    return alive.map((r) => ({
      owner: r.owner,
      lake: r.lake,
      source: r.source,
      since: new Date(r.since).toISOString(),
      ticks: r.ticks,
      ...(r.last_tick_at === null ? {} : { lastTickAt: new Date(r.last_tick_at).toISOString() }),
      lateChecks: r.late_checks,
    }));
  }

  async mark(key: string): Promise<string | undefined> {
    return (this.prepare(`SELECT value FROM marks WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
  }

  async setMark(key: string, value: string): Promise<void> {
    this.prepare(`INSERT INTO marks (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
  }
}
