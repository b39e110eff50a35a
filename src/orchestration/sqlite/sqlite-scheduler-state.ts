/** Scheduler presence and marks in the state database: tables `schedulers` and `marks`. */
import { ownerAlive } from '../process-identity.js';
import type { SchedulerState } from '../scheduler-state.js';
import { preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

export class SqliteSchedulerState implements SchedulerState {
  private readonly prepare: Prepare;

  constructor(private readonly db: StateDatabase) {
    this.prepare = preparedStatements(db);
  }

  async register(owner: string, info: { lake: string; source: string }): Promise<void> {
    this
      .prepare(`INSERT INTO schedulers (owner, lake, source, since) VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO NOTHING`)
      .run(owner, info.lake, info.source, Date.now());
  }

  async unregister(owner: string): Promise<void> {
    this.prepare(`DELETE FROM schedulers WHERE owner = ?`).run(owner);
  }

  async live(): Promise<{ owner: string; lake: string; source: string; since: string }[]> {
    const rows = this.prepare(`SELECT owner, lake, source, since FROM schedulers ORDER BY since`).all() as {
      owner: string;
      lake: string;
      source: string;
      since: number;
    }[];
    const alive = rows.filter((r) => ownerAlive(r.owner));
    for (const dead of rows.filter((r) => !alive.includes(r))) await this.unregister(dead.owner);
    return alive.map((r) => ({ ...r, since: new Date(r.since).toISOString() }));
  }

  async mark(key: string): Promise<string | undefined> {
    return (this.prepare(`SELECT value FROM marks WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
  }

  async setMark(key: string, value: string): Promise<void> {
    this.prepare(`INSERT INTO marks (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
  }
}
