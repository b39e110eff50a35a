/** The run store in the state database: table `runs`. */
import { randomUUID } from 'node:crypto';
import { UserError } from '../../errors/user-error.js';
import { parseHour } from '../../pipeline/hour.js';
import { runIdFor } from '../../pipeline/lake-layout.js';
import type { RunManifest } from '../../pipeline/run-manifest.js';
import { ownerAlive } from '../process-identity.js';
import type { RunEnd, RunFilter, RunRecord, RunStatus, RunStore, RunTrigger, SubmitRun } from '../run-store.js';
import { placeholders, preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

interface RunRow {
  id: string;
  lake: string;
  hour: string;
  status: RunStatus;
  trigger: RunTrigger;
  attempt: number;
  request: string;
  planned: number;
  owner: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  not_before: number | null;
  error: string | null;
  summary: string | null;
  poor_quality: number;
  pruned_at: number | null;
}

const COLUMNS = `id, lake, hour, status, trigger, attempt, request, (manifest IS NOT NULL OR pruned_at IS NOT NULL) AS planned, owner, queued_at,
  started_at, finished_at, not_before, error, summary, poor_quality, pruned_at`;

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    lake: row.lake,
    hour: row.hour,
    status: row.status,
    trigger: row.trigger,
    attempt: row.attempt,
    request: JSON.parse(row.request) as RunRecord['request'],
    planned: row.planned === 1,
    queuedAt: new Date(row.queued_at).toISOString(),
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.started_at === null ? {} : { startedAt: iso(row.started_at) as string }),
    ...(row.finished_at === null ? {} : { finishedAt: iso(row.finished_at) as string }),
    ...(row.not_before === null ? {} : { notBefore: iso(row.not_before) as string }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.summary === null ? {} : { summary: JSON.parse(row.summary) as RunRecord['summary'] }),
    ...(row.poor_quality === 1 ? { poorQuality: true } : {}),
    ...(row.pruned_at === null ? {} : { prunedAt: iso(row.pruned_at) as string }),
  };
}

export class SqliteRunStore implements RunStore {
  private readonly prepare: Prepare;

  /** `now`: the clock run claims, starts and ends read (tests inject one instead of sleeping). */
  constructor(
    private readonly db: StateDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = preparedStatements(db);
  }

  private row(id: string): RunRow | undefined {
    return this.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
  }

  async submit(run: SubmitRun): Promise<{ run: RunRecord; created: boolean }> {
    const hour = parseHour(run.hour);
    if (!hour) throw new Error(`not an hour label: ${run.hour}`);
    const active = this.prepare(`SELECT ${COLUMNS} FROM runs WHERE lake = ? AND hour = ? AND status IN ('queued', 'running')`);
    const insert = this.prepare(
      `INSERT INTO runs (id, lake, hour, status, trigger, request, queued_at, manifest) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    if (run.plan && run.plan.partitionKey !== run.hour) throw new Error(`run ${run.plan.runId}'s plan is of hour ${run.plan.partitionKey}, not ${run.hour}`);
    return this.db.transaction(() => {
      const id = run.plan?.runId ?? runIdFor(hour, randomUUID().slice(0, 8));
      const manifest = run.plan ? JSON.stringify(run.plan) : null;
      const changed = insert.run(id, run.lake, run.hour, run.trigger, JSON.stringify(run.request), this.now(), manifest).changes;
      if (changed === 1) return { run: toRecord(this.row(id) as RunRow), created: true };
      // Refused: the hour has an active run, or this plan's run exists already (submitted twice).
      return { run: toRecord((active.get(run.lake, run.hour) ?? this.row(id)) as RunRow), created: false };
    }).immediate();
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = this.row(id);
    return row && toRecord(row);
  }

  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    const conditions = (
      [
        ['status', filter.status],
        ['lake', filter.lake],
        ['hour', filter.hour],
      ] as const
    ).filter(([, value]) => value !== undefined);
    const where = conditions.map(([column]) => `${column} = ?`);
    const args: unknown[] = conditions.map(([, value]) => value);
    if (filter.fromHour !== undefined) {
      where.push('hour >= ?');
      args.push(filter.fromHour);
    }
    const sql = `SELECT ${COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY queued_at DESC, id DESC LIMIT ?`;
    return (this.prepare(sql).all(...args, filter.limit ?? -1) as RunRow[]).map(toRecord);
  }

  async newestHour(lake: string, status?: RunStatus): Promise<string | undefined> {
    const row = (
      status === undefined
        ? this.prepare(`SELECT max(hour) AS hour FROM runs WHERE lake = ?`).get(lake)
        : this.prepare(`SELECT max(hour) AS hour FROM runs WHERE lake = ? AND status = ?`).get(lake, status)
    ) as { hour: string | null };
    return row.hour ?? undefined;
  }

  async start(owner: string, options: { ids?: readonly string[]; maxRunning?: number; claimMs: number }): Promise<RunRecord | undefined> {
    const now = this.now();
    // The common answer, "nothing queued", without taking the write lock.
    if (!this.prepare(`SELECT 1 FROM runs WHERE status = 'queued' LIMIT 1`).get()) return undefined;
    return this.db.transaction(() => {
      if (options.maxRunning !== undefined) {
        // A run whose owner stopped heartbeating (frozen) holds no room: it waits to be taken over.
        const { n } = this
          .prepare(`SELECT count(*) AS n FROM runs WHERE status = 'running' AND (claim_expires_at IS NULL OR claim_expires_at > ?)`)
          .get(now) as { n: number };
        if (n >= options.maxRunning) return undefined;
      }
      const ids = options.ids;
      if (ids?.length === 0) return undefined;
      const next = this
        .prepare(
          `SELECT id FROM runs WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?)
           ${ids ? `AND id IN (${placeholders(ids)})` : ''} ORDER BY queued_at, id LIMIT 1`,
        )
        .get(now, ...(ids ?? [])) as { id: string } | undefined;
      if (!next) return undefined;
      this
        .prepare(
          `UPDATE runs SET status = 'running', owner = ?, claim_expires_at = ?, started_at = coalesce(started_at, ?), not_before = NULL WHERE id = ?`,
        )
        .run(owner, now + options.claimMs, now, next.id);
      return toRecord(this.row(next.id) as RunRow);
    }).immediate();
  }

  async takeOver(owner: string, options: { ids?: readonly string[]; claimMs: number }): Promise<RunRecord[]> {
    const now = this.now();
    const running = this.prepare(`SELECT id, owner, claim_expires_at FROM runs WHERE status = 'running'`).all() as {
      id: string;
      owner: string | null;
      claim_expires_at: number | null;
    }[];
    const wanted = options.ids ? new Set(options.ids) : undefined;
    const free = (r: (typeof running)[number]): boolean =>
      r.owner === null || (r.claim_expires_at !== null && r.claim_expires_at <= now) || !ownerAlive(r.owner);
    const lapsed = running.filter((r) => (wanted ? wanted.has(r.id) : true) && free(r));
    const taken: RunRecord[] = [];
    // Compare and swap on the owner and its claim: of several processes finding the same lapsed
    // owner, one takes the run, and an owner that heartbeated in between keeps it.
    const swap = this.prepare(
      `UPDATE runs SET owner = ?, claim_expires_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claim_expires_at IS ?`,
    );
    for (const run of lapsed) {
      if (swap.run(owner, now + options.claimMs, run.id, run.owner, run.claim_expires_at).changes === 1) taken.push(toRecord(this.row(run.id) as RunRow));
    }
    return taken;
  }

  async heartbeat(owner: string, runIds: readonly string[], claimMs: number): Promise<string[]> {
    if (runIds.length === 0) return [];
    const now = this.now();
    return this.db.transaction(() => {
      this
        .prepare(`UPDATE runs SET claim_expires_at = ? WHERE status = 'running' AND owner = ? AND id IN (${placeholders(runIds)})`)
        .run(now + claimMs, owner, ...runIds);
      const held = this
        .prepare(`SELECT id FROM runs WHERE status = 'running' AND owner = ? AND id IN (${placeholders(runIds)})`)
        .all(owner, ...runIds) as { id: string }[];
      return held.map((r) => r.id);
    }).immediate();
  }

  async saveManifest(runId: string, manifest: RunManifest): Promise<void> {
    this.prepare(`UPDATE runs SET manifest = ? WHERE id = ?`).run(JSON.stringify(manifest), runId);
  }

  async manifest(runId: string): Promise<RunManifest | undefined> {
    const row = this.prepare(`SELECT manifest FROM runs WHERE id = ?`).get(runId) as { manifest: string | null } | undefined;
    return row?.manifest ? (JSON.parse(row.manifest) as RunManifest) : undefined;
  }

  async end(runId: string, owner: string, end: RunEnd): Promise<boolean> {
    return this.db.transaction(() => this.endNow(runId, owner, end)).immediate();
  }

  /**
   * A run that succeeded has published: its finish message (and that attempt) is settled with
   * it, in one step. An owner the run was taken from changes nothing.
   */
  private endNow(runId: string, owner: string, end: RunEnd): boolean {
    const now = this.now();
    if (end.status === 'failed') {
      return (
        this
          .prepare(
            `UPDATE runs SET status = 'failed', finished_at = ?, error = ?, owner = NULL, claim_expires_at = NULL
             WHERE id = ? AND status IN ('running', 'queued') AND (owner = ? OR owner IS NULL)`,
          )
          .run(now, end.error, runId, owner).changes === 1
      );
    }
    const ended = this
      .prepare(
        `UPDATE runs SET status = 'success', finished_at = ?, summary = ?, poor_quality = ?, error = NULL, owner = NULL, claim_expires_at = NULL
         WHERE id = ? AND status = 'running' AND owner = ?`,
      )
      .run(now, JSON.stringify(end.summary), end.poorQuality ? 1 : 0, runId, owner).changes === 1;
    if (!ended) return false;
    this
      .prepare(`UPDATE attempts SET outcome = 'ok', finished_at = ? WHERE outcome = 'running' AND message_id IN (SELECT id FROM messages WHERE run_id = ? AND kind = 'finish')`)
      .run(now, runId);
    this.prepare(`UPDATE messages SET status = 'done', claimed_by = ?, claim_token = NULL WHERE run_id = ? AND kind = 'finish'`).run(owner, runId);
    return true;
  }

  async retryLater(runId: string, owner: string, error: string, notBefore: Date): Promise<void> {
    this
      .prepare(`UPDATE runs SET status = 'queued', owner = NULL, claim_expires_at = NULL, error = ?, not_before = ?, attempt = attempt + 1 WHERE id = ? AND owner = ?`)
      .run(error, notBefore.getTime(), runId, owner);
  }

  async release(runId: string, owner: string, notBefore?: Date): Promise<void> {
    this
      .prepare(`UPDATE runs SET status = 'queued', owner = NULL, claim_expires_at = NULL, not_before = ? WHERE id = ? AND status = 'running' AND owner = ?`)
      .run(notBefore === undefined ? null : notBefore.getTime(), runId, owner);
  }

  async reopen(runId: string): Promise<RunRecord> {
    return this.db.transaction(() => {
      const row = this.row(runId);
      if (!row) throw new UserError(`no run ${runId}`);
      if (row.status !== 'failed') return toRecord(row);
      const other = this
        .prepare(`SELECT id FROM runs WHERE lake = ? AND hour = ? AND status IN ('queued', 'running')`)
        .get(row.lake, row.hour) as { id: string } | undefined;
      if (other) throw new UserError(`hour ${row.hour} has another run in progress (${other.id}); replay after it ends`);
      this.prepare(`UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL, not_before = NULL WHERE id = ?`).run(runId);
      return toRecord(this.row(runId) as RunRow);
    }).immediate();
  }
}
