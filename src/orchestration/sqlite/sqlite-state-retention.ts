/**
 * Retention on the SQLite state: a finished run's manifest, messages and attempts go in one
 * transaction per batch, with every condition checked inside it, so a run that a replay or a
 * rerun touches meanwhile is left as it is.
 */
import type { PruneRequest, PruneResult, StateRetention } from '../state-retention.js';
import { placeholders, preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

/** Runs pruned per write transaction: short enough not to hold up workers waiting for the lock. */
const BATCH = 50;

/** Finished before the cutoff, not pruned yet, with nothing on the queue still to do. */
const FINISHED = `r.status IN ('success', 'failed') AND r.finished_at < ? AND r.pruned_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.run_id = r.id AND m.status IN ('ready', 'claimed'))`;
const DEAD_LETTERED = `EXISTS (SELECT 1 FROM messages m JOIN dead_letters d ON d.message_id = m.id WHERE m.run_id = r.id)`;

interface Sizes {
  runs: number;
  messages: number;
  attempts: number;
  bytes: number;
}

export class SqliteStateRetention implements StateRetention {
  private readonly prepare: Prepare;

  constructor(
    private readonly db: StateDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = preparedStatements(db);
  }

  async prune(request: PruneRequest): Promise<PruneResult> {
    const cutoff = request.finishedBefore.getTime();
    const kept = (this.prepare(`SELECT count(*) AS n FROM runs r WHERE ${FINISHED} AND ${DEAD_LETTERED}`).get(cutoff) as { n: number }).n;
    if (request.dryRun) return { ...this.sizes(this.candidates(cutoff, -1)), keptDeadLettered: kept };
    const total: Sizes = { runs: 0, messages: 0, attempts: 0, bytes: 0 };
    for (;;) {
      const batch = this.db.transaction(() => {
        const ids = this.candidates(cutoff, BATCH);
        if (ids.length === 0) return undefined;
        const sizes = this.sizes(ids);
        const list = placeholders(ids);
        this.prepare(`DELETE FROM attempts WHERE message_id IN (SELECT id FROM messages WHERE run_id IN (${list}))`).run(...ids);
        this.prepare(`DELETE FROM messages WHERE run_id IN (${list})`).run(...ids);
        this.prepare(`UPDATE runs SET manifest = NULL, pruned_at = ? WHERE id IN (${list})`).run(this.now(), ...ids);
        return sizes;
      }).immediate();
      if (!batch) break;
      total.runs += batch.runs;
      total.messages += batch.messages;
      total.attempts += batch.attempts;
      total.bytes += batch.bytes;
    }
    return { ...total, keptDeadLettered: kept };
  }

  private candidates(cutoff: number, limit: number): string[] {
    const rows = this.prepare(`SELECT r.id FROM runs r WHERE ${FINISHED} AND NOT ${DEAD_LETTERED} ORDER BY r.finished_at LIMIT ?`).all(cutoff, limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  private sizes(ids: readonly string[]): Sizes {
    if (ids.length === 0) return { runs: 0, messages: 0, attempts: 0, bytes: 0 };
    const list = placeholders(ids);
    const manifests = this.prepare(`SELECT coalesce(sum(length(manifest)), 0) AS bytes FROM runs WHERE id IN (${list})`).get(...ids) as { bytes: number };
    const messages = this
      .prepare(
        `SELECT count(*) AS n, coalesce(sum(coalesce(length(body), 0) + coalesce(length(result), 0) + coalesce(length(error), 0)), 0) AS bytes
         FROM messages WHERE run_id IN (${list})`,
      )
      .get(...ids) as { n: number; bytes: number };
    const attempts = this.prepare(`SELECT count(*) AS n FROM attempts WHERE message_id IN (SELECT id FROM messages WHERE run_id IN (${list}))`).get(...ids) as { n: number };
    return { runs: ids.length, messages: messages.n, attempts: attempts.n, bytes: manifests.bytes + messages.bytes };
  }
}
