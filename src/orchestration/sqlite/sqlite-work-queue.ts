/** The work queue in the state database: tables `messages`, `attempts` and `dead_letters`. */
import { randomBytes } from 'node:crypto';
import { UserError } from '../../errors/user-error.js';
import type { Task, TaskOutput } from '../../pipeline/run-manifest.js';
import { ownerAlive } from '../process-identity.js';
import type {
  Attempt,
  ClaimedMessage,
  ClaimRef,
  DeadLetter,
  FailOutcome,
  MessageKind,
  MessageStatus,
  QueueCounts,
  QueueMessage,
  RetryPolicy,
  WorkQueue,
} from '../work-queue.js';
import { retryDelayMs } from '../retry-delay.js';
import { placeholders, preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

interface MessageRow {
  id: number;
  run_id: string;
  kind: MessageKind;
  task_id: string;
  body: string | null;
  status: MessageStatus;
  attempts: number;
  claimed_by: string | null;
  claim_token: string | null;
  error: string | null;
}

/**
 * A task message keeps no copy of its task when the run's manifest holds the same one (each
 * run's plan was kept twice before, ~0.35 MB per 3,600-object hour): it is read from the
 * manifest, parsed once per run and kept for the few runs in flight (a saved plan never changes).
 */
const MANIFESTS_KEPT = 8;

/** Whether a message's row lacks the task it carries (it is in the run's manifest). */
const taskInManifest = (row: MessageRow): boolean => row.body === null && row.kind === 'task';

interface DeadLetterRow {
  id: number;
  message_id: number;
  run_id: string;
  hour: string;
  kind: MessageKind;
  task_id: string;
  attempts: number;
  error: string;
  dead_at: number;
  replayed_at: number | null;
}

function toMessage(row: MessageRow, manifestTask?: Task): QueueMessage {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    ...(row.body === null ? (manifestTask ? { task: manifestTask } : {}) : { task: JSON.parse(row.body) as Task }),
    ...(row.claimed_by === null ? {} : { claimedBy: row.claimed_by }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    messageId: row.message_id,
    runId: row.run_id,
    hour: row.hour,
    kind: row.kind,
    ...(row.task_id === '' ? {} : { taskId: row.task_id }),
    attempts: row.attempts,
    error: row.error,
    deadAt: new Date(row.dead_at).toISOString(),
    ...(row.replayed_at === null ? {} : { replayedAt: new Date(row.replayed_at).toISOString() }),
  };
}

const DEAD_LETTER_FROM = `FROM dead_letters d JOIN messages m ON m.id = d.message_id JOIN runs r ON r.id = m.run_id`;
const DEAD_LETTER_COLUMNS = `d.id, d.message_id, m.run_id, r.hour, m.kind, m.task_id, d.attempts, d.error, d.dead_at, d.replayed_at
  ${DEAD_LETTER_FROM}`;

export class SqliteWorkQueue implements WorkQueue {
  private readonly prepare: Prepare;
  /** Planned tasks of the runs whose messages were read last, by run id. */
  private readonly planned = new Map<string, ReadonlyMap<string, Task>>();

  /** `now`: the clock visibility, backoff and attempt times read (tests inject one instead of sleeping). */
  constructor(
    private readonly db: StateDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = preparedStatements(db);
  }

  async enqueue(runId: string, messages: readonly { kind: MessageKind; task?: Task }[]): Promise<void> {
    const insert = this.prepare(
      `INSERT INTO messages (run_id, kind, task_id, body, status, visible_at) VALUES (?, ?, ?, ?, 'ready', ?) ON CONFLICT DO NOTHING`,
    );
    const now = this.now();
    this.db.transaction(() => {
      const planned = new Map([...this.manifestTasks(runId)].map(([id, task]) => [id, JSON.stringify(task)]));
      for (const m of messages) {
        const body = m.task ? JSON.stringify(m.task) : null;
        // Kept only when the manifest does not hold this very task (read back from there otherwise).
        const kept = body !== null && planned.get(m.task?.id ?? '') === body ? null : body;
        insert.run(runId, m.kind, m.task?.id ?? '', kept, now);
      }
    }).immediate();
  }

  async claim(owner: string, runIds: readonly string[], visibilityMs: number): Promise<ClaimedMessage | undefined> {
    if (runIds.length === 0) return undefined;
    const now = this.now();
    const token = randomBytes(16).toString('hex');
    return this.db.transaction(() => {
      // A claim not heartbeated within its visibility timeout is visible again: its holder is
      // presumed frozen or stuck, and is refused from now on (its token no longer matches).
      const row = this
        .prepare(
          `SELECT id FROM messages WHERE run_id IN (${placeholders(runIds)})
             AND status IN ('ready', 'claimed') AND visible_at <= ?
           ORDER BY kind DESC, task_id, id LIMIT 1`,
        )
        .get(...runIds, now) as { id: number } | undefined;
      if (!row) return undefined;
      this
        .prepare(`UPDATE attempts SET outcome = 'lost', finished_at = ? WHERE message_id = ? AND outcome = 'running'`)
        .run(now, row.id);
      this
        .prepare(`UPDATE messages SET status = 'claimed', claimed_by = ?, claim_token = ?, attempts = attempts + 1, visible_at = ? WHERE id = ?`)
        .run(owner, token, now + visibilityMs, row.id);
      const claimed = this.prepare(`SELECT * FROM messages WHERE id = ?`).get(row.id) as MessageRow;
      this
        .prepare(`INSERT INTO attempts (message_id, attempt, worker, started_at, outcome) VALUES (?, ?, ?, ?, 'running')`)
        .run(row.id, claimed.attempts, owner, now);
      return { ...toMessage(claimed, taskInManifest(claimed) ? this.manifestTasks(claimed.run_id).get(claimed.task_id) : undefined), claimToken: token };
    }).immediate();
  }

  /** Whether `claim` is the message's current claim (claimed, with that token). Inside a write transaction. */
  private holds(claim: ClaimRef): MessageRow | undefined {
    const row = this.prepare(`SELECT * FROM messages WHERE id = ?`).get(claim.messageId) as MessageRow | undefined;
    return row?.status === 'claimed' && row.claim_token === claim.claimToken ? row : undefined;
  }

  async complete(claim: ClaimRef, result?: TaskOutput): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(() => {
      // A holder whose claim was taken over (or already settled) changes nothing: a late success
      // cannot close a message another holder is working on, nor overwrite its result.
      if (!this.holds(claim)) return false;
      this
        .prepare(`UPDATE messages SET status = 'done', result = coalesce(?, result), error = NULL, claim_token = NULL WHERE id = ?`)
        .run(result === undefined ? null : JSON.stringify(result), claim.messageId);
      this
        .prepare(`UPDATE attempts SET outcome = 'ok', finished_at = ? WHERE message_id = ? AND outcome = 'running'`)
        .run(now, claim.messageId);
      return true;
    }).immediate();
  }

  async fail(claim: ClaimRef, error: string, policy: RetryPolicy): Promise<FailOutcome> {
    const now = this.now();
    const messageId = claim.messageId;
    return this.db.transaction((): FailOutcome => {
      // A late failure of a holder whose claim was taken over must not reopen (or dead-letter) the message.
      const row = this.holds(claim);
      if (!row) return { outcome: 'refused' };
      this
        .prepare(`UPDATE attempts SET outcome = 'error', error = ?, finished_at = ? WHERE message_id = ? AND outcome = 'running'`)
        .run(error, now, messageId);
      if (row.attempts <= policy.retries) {
        const at = new Date(now + retryDelayMs(row.attempts, policy));
        this
          .prepare(`UPDATE messages SET status = 'ready', claimed_by = NULL, claim_token = NULL, error = ?, visible_at = ? WHERE id = ?`)
          .run(error, at.getTime(), messageId);
        return { outcome: 'retry', at, attempt: row.attempts };
      }
      this.prepare(`UPDATE messages SET status = 'dead', claimed_by = NULL, claim_token = NULL, error = ? WHERE id = ?`).run(error, messageId);
      const id = this
        .prepare(`INSERT INTO dead_letters (message_id, attempts, error, dead_at) VALUES (?, ?, ?, ?)`)
        .run(messageId, row.attempts, error, now).lastInsertRowid;
      return { outcome: 'dead', deadLetter: toDeadLetter(this.prepare(`SELECT ${DEAD_LETTER_COLUMNS} WHERE d.id = ?`).get(id) as DeadLetterRow) };
    }).immediate();
  }

  async heartbeat(claim: ClaimRef, visibilityMs: number): Promise<boolean> {
    const now = this.now();
    // One statement: it extends the claim only while it is still this holder's.
    return (
      this
        .prepare(`UPDATE messages SET visible_at = ? WHERE id = ? AND status = 'claimed' AND claim_token = ?`)
        .run(now + visibilityMs, claim.messageId, claim.claimToken).changes === 1
    );
  }

  async release(claim: ClaimRef): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(() => {
      if (!this.holds(claim)) return false;
      // Given back unworked: the attempt is not charged against the retries.
      this.prepare(`DELETE FROM attempts WHERE message_id = ? AND outcome = 'running'`).run(claim.messageId);
      this
        .prepare(`UPDATE messages SET status = 'ready', claimed_by = NULL, claim_token = NULL, attempts = max(attempts - 1, 0), visible_at = ? WHERE id = ?`)
        .run(now, claim.messageId);
      return true;
    }).immediate();
  }

  async releaseDead(): Promise<number> {
    const claimers = this.prepare(`SELECT DISTINCT claimed_by FROM messages WHERE status = 'claimed'`).all() as { claimed_by: string }[];
    const dead = claimers.map((c) => c.claimed_by).filter((owner) => !ownerAlive(owner));
    if (dead.length === 0) return 0;
    const now = this.now();
    return this.db.transaction(() => {
      this
        .prepare(`UPDATE attempts SET outcome = 'lost', finished_at = ? WHERE outcome = 'running' AND worker IN (${placeholders(dead)})`)
        .run(now, ...dead);
      return this
        .prepare(`UPDATE messages SET status = 'ready', claimed_by = NULL, claim_token = NULL, visible_at = ? WHERE status = 'claimed' AND claimed_by IN (${placeholders(dead)})`)
        .run(now, ...dead).changes;
    }).immediate();
  }

  async redo(runId: string, taskIds: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      if (taskIds.length > 0) {
        this
          .prepare(
            `UPDATE messages SET status = 'ready', result = NULL, claimed_by = NULL, claim_token = NULL, visible_at = ?
             WHERE run_id = ? AND kind = 'task' AND task_id IN (${placeholders(taskIds)})`,
          )
          .run(this.now(), runId, ...taskIds);
      }
      // The finish is queued again once those tasks are done.
      const finish = this.prepare(`SELECT id FROM messages WHERE run_id = ? AND kind = 'finish' AND status != 'done'`).get(runId) as { id: number } | undefined;
      if (finish) {
        this.prepare(`DELETE FROM attempts WHERE message_id = ?`).run(finish.id);
        this.prepare(`DELETE FROM dead_letters WHERE message_id = ?`).run(finish.id);
        this.prepare(`DELETE FROM messages WHERE id = ?`).run(finish.id);
      }
    }).immediate();
  }

  async counts(runId: string): Promise<QueueCounts> {
    return this
      .prepare(
        `SELECT count(*) FILTER (WHERE kind = 'task') AS tasks,
                count(*) FILTER (WHERE kind = 'task' AND status = 'done') AS tasksDone,
                count(*) FILTER (WHERE status = 'dead') AS dead
         FROM messages WHERE run_id = ?`,
      )
      .get(runId) as QueueCounts;
  }

  async results(runId: string): Promise<TaskOutput[]> {
    const rows = this
      .prepare(`SELECT result FROM messages WHERE run_id = ? AND kind = 'task' AND status = 'done' ORDER BY task_id`)
      .all(runId) as { result: string }[];
    return rows.map((r) => JSON.parse(r.result) as TaskOutput);
  }

  async nextVisible(runIds: readonly string[]): Promise<Date | undefined> {
    if (runIds.length === 0) return undefined;
    const row = this
      .prepare(`SELECT min(visible_at) AS at FROM messages WHERE run_id IN (${placeholders(runIds)}) AND status IN ('ready', 'claimed') AND visible_at > ?`)
      .get(...runIds, this.now()) as { at: number | null };
    return row.at === null ? undefined : new Date(row.at);
  }

  async attempts(runId: string): Promise<Attempt[]> {
    const rows = this
      .prepare(
        `SELECT a.message_id, m.run_id, m.kind, m.task_id, a.attempt, a.worker, a.started_at, a.finished_at, a.outcome, a.error
         FROM attempts a JOIN messages m ON m.id = a.message_id WHERE m.run_id = ? ORDER BY a.started_at, a.id`,
      )
      .all(runId) as {
      message_id: number;
      run_id: string;
      kind: MessageKind;
      task_id: string;
      attempt: number;
      worker: string;
      started_at: number;
      finished_at: number | null;
      outcome: Attempt['outcome'];
      error: string | null;
    }[];
    return rows.map((r) => ({
      messageId: r.message_id,
      runId: r.run_id,
      kind: r.kind,
      ...(r.task_id === '' ? {} : { taskId: r.task_id }),
      attempt: r.attempt,
      worker: r.worker,
      startedAt: new Date(r.started_at).toISOString(),
      ...(r.finished_at === null ? {} : { finishedAt: new Date(r.finished_at).toISOString() }),
      outcome: r.outcome,
      ...(r.error === null ? {} : { error: r.error }),
    }));
  }

  async messages(runId: string): Promise<QueueMessage[]> {
    const rows = this.prepare(`SELECT * FROM messages WHERE run_id = ? ORDER BY kind DESC, task_id, id`).all(runId) as MessageRow[];
    return this.withTasks(rows);
  }

  async claimed(): Promise<QueueMessage[]> {
    const rows = this.prepare(`SELECT * FROM messages WHERE status = 'claimed' ORDER BY visible_at, id`).all() as MessageRow[];
    return this.withTasks(rows);
  }

  /** Messages with their tasks, those not kept in the row read from their run's manifest (parsed once per run). */
  private withTasks(rows: readonly MessageRow[]): QueueMessage[] {
    const tasks = new Map<string, ReadonlyMap<string, Task>>();
    for (const row of rows) if (taskInManifest(row) && !tasks.has(row.run_id)) tasks.set(row.run_id, this.manifestTasks(row.run_id));
    return rows.map((row) => toMessage(row, taskInManifest(row) ? tasks.get(row.run_id)?.get(row.task_id) : undefined));
  }

  /** The run's planned tasks by id (none when it has no manifest). */
  private manifestTasks(runId: string): ReadonlyMap<string, Task> {
    const known = this.planned.get(runId);
    if (known) return known;
    const row = this.prepare(`SELECT manifest FROM runs WHERE id = ?`).get(runId) as { manifest: string | null } | undefined;
    if (!row?.manifest) return new Map();
    const tasks = new Map(((JSON.parse(row.manifest) as { tasks?: readonly Task[] }).tasks ?? []).map((t) => [t.id, t]));
    if (this.planned.size >= MANIFESTS_KEPT) this.planned.delete(this.planned.keys().next().value as string);
    this.planned.set(runId, tasks);
    return tasks;
  }

  async deadLetters(options: { includeReplayed?: boolean; limit?: number; offset?: number } = {}): Promise<DeadLetter[]> {
    const rows = this
      .prepare(`SELECT ${DEAD_LETTER_COLUMNS} ${options.includeReplayed ? '' : 'WHERE d.replayed_at IS NULL'} ORDER BY d.id DESC LIMIT ? OFFSET ?`)
      .all(options.limit ?? -1, options.offset ?? 0) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  async countDeadLetters(options: { includeReplayed?: boolean } = {}): Promise<number> {
    // The same joins as the list, so the count is what it lists.
    const { n } = this.prepare(`SELECT count(*) AS n ${DEAD_LETTER_FROM} ${options.includeReplayed ? '' : 'WHERE d.replayed_at IS NULL'}`).get() as { n: number };
    return n;
  }

  async deadLetter(id: number): Promise<DeadLetter | undefined> {
    const row = this.prepare(`SELECT ${DEAD_LETTER_COLUMNS} WHERE d.id = ?`).get(id) as DeadLetterRow | undefined;
    return row && toDeadLetter(row);
  }

  async replay(id: number): Promise<DeadLetter> {
    const now = this.now();
    return this.db.transaction(() => {
      const row = this.prepare(`SELECT ${DEAD_LETTER_COLUMNS} WHERE d.id = ?`).get(id) as DeadLetterRow | undefined;
      if (!row) throw new UserError(`no dead letter ${id} (eventlake dlq list shows them)`);
      if (row.replayed_at !== null) throw new UserError(`dead letter ${id} was already replayed at ${new Date(row.replayed_at).toISOString()}`);
      this.prepare(`UPDATE dead_letters SET replayed_at = ? WHERE id = ?`).run(now, id);
      this
        .prepare(`UPDATE messages SET status = 'ready', attempts = 0, claimed_by = NULL, claim_token = NULL, visible_at = ? WHERE id = ? AND status = 'dead'`)
        .run(now, row.message_id);
      return toDeadLetter({ ...row, replayed_at: now });
    }).immediate();
  }
}
