/** The event log in the state database: tables `events` and `deliveries`. */
import type { CallbackEvent, CallbackPayload, DeliveryOutcome } from '../callbacks/callback-event.js';
import type { CallbackDelivery, DeliveryStatus, EventLog, NewEvent, RecordedEvent } from '../event-log.js';
import { ownerAlive } from '../process-identity.js';
import { preparedStatements, type Prepare } from './prepared-statements.js';
import type { StateDatabase } from './state-database.js';

interface EventRow {
  id: number;
  kind: CallbackEvent;
  key: string;
  run_id: string | null;
  lake: string | null;
  hour: string | null;
  payload: string;
  at: number;
}

interface DeliveryRow {
  id: number;
  event_id: number;
  kind: CallbackEvent;
  callback: string;
  status: DeliveryStatus;
  attempts: number;
  http_status: number | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
  payload: string;
}

function toEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    ...(row.run_id === null ? {} : { runId: row.run_id }),
    ...(row.lake === null ? {} : { lake: row.lake }),
    ...(row.hour === null ? {} : { hour: row.hour }),
    payload: JSON.parse(row.payload) as CallbackPayload,
    at: new Date(row.at).toISOString(),
  };
}

function toDelivery(row: DeliveryRow): CallbackDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    event: row.kind,
    callback: row.callback,
    status: row.status,
    attempts: row.attempts,
    ...(row.http_status === null ? {} : { httpStatus: row.http_status }),
    ...(row.error === null ? {} : { error: row.error }),
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: new Date(row.finished_at).toISOString() }),
    payload: JSON.parse(row.payload) as CallbackPayload,
  };
}

const DELIVERY_COLUMNS = `d.id, d.event_id, e.kind, d.callback, d.status, d.attempts, d.http_status, d.error, d.created_at,
  d.finished_at, e.payload FROM deliveries d JOIN events e ON e.id = d.event_id`;

/** The WHERE clause (and its arguments) of a look at the events by kind and run. */
function eventFilter(options: { kind?: CallbackEvent; runId?: string }): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (options.kind) {
    where.push('kind = ?');
    args.push(options.kind);
  }
  if (options.runId) {
    where.push('run_id = ?');
    args.push(options.runId);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export class SqliteEventLog implements EventLog {
  private readonly prepare: Prepare;

  constructor(private readonly db: StateDatabase) {
    this.prepare = preparedStatements(db);
  }

  async record(event: NewEvent): Promise<boolean> {
    const now = Date.now();
    return this.db.transaction(() => {
      const inserted = this
        .prepare(`INSERT INTO events (kind, key, run_id, lake, hour, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
        .run(event.kind, event.key, event.runId ?? null, event.lake ?? null, event.hour ?? null, JSON.stringify(event.payload), now);
      if (inserted.changes === 0) return false;
      const add = this.prepare(`INSERT INTO deliveries (event_id, callback, status, created_at) VALUES (?, ?, 'pending', ?)`);
      for (const name of event.callbacks) add.run(inserted.lastInsertRowid, name, now);
      return true;
    }).immediate();
  }

  async events(options: { kind?: CallbackEvent; runId?: string; limit?: number; offset?: number } = {}): Promise<RecordedEvent[]> {
    const { where, args } = eventFilter(options);
    const rows = this.prepare(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, options.limit ?? -1, options.offset ?? 0) as EventRow[];
    return rows.map(toEvent);
  }

  async countEvents(options: { kind?: CallbackEvent; runId?: string } = {}): Promise<number> {
    const { where, args } = eventFilter(options);
    const { n } = this.prepare(`SELECT count(*) AS n FROM events ${where}`).get(...args) as { n: number };
    return n;
  }

  async claimDelivery(owner: string, callbacks: readonly string[]): Promise<CallbackDelivery | undefined> {
    if (callbacks.length === 0) return undefined;
    const names = callbacks.map(() => '?').join(', ');
    // A deliverer that died mid-delivery leaves its delivery to the next one (delivered at least once).
    const stuck = this.prepare(`SELECT id, claimed_by FROM deliveries WHERE status = 'delivering'`).all() as { id: number; claimed_by: string }[];
    for (const s of stuck.filter((d) => !ownerAlive(d.claimed_by))) {
      this.prepare(`UPDATE deliveries SET status = 'pending', claimed_by = NULL WHERE id = ? AND claimed_by = ?`).run(s.id, s.claimed_by);
    }
    return this.db.transaction(() => {
      const row = this.prepare(`SELECT id FROM deliveries WHERE status = 'pending' AND callback IN (${names}) ORDER BY id LIMIT 1`).get(...callbacks) as
        | { id: number }
        | undefined;
      if (!row) return undefined;
      this.prepare(`UPDATE deliveries SET status = 'delivering', claimed_by = ? WHERE id = ?`).run(owner, row.id);
      return toDelivery(this.prepare(`SELECT ${DELIVERY_COLUMNS} WHERE d.id = ?`).get(row.id) as DeliveryRow);
    }).immediate();
  }

  async settleDelivery(id: number, outcome: DeliveryOutcome): Promise<void> {
    this
      .prepare(`UPDATE deliveries SET status = ?, attempts = attempts + ?, http_status = ?, error = ?, finished_at = ?, claimed_by = NULL WHERE id = ?`)
      .run(outcome.ok ? 'delivered' : 'failed', outcome.attempts, outcome.status ?? null, outcome.error ?? null, Date.now(), id);
  }

  async deliveries(options: { runId?: string; limit?: number; offset?: number } = {}): Promise<CallbackDelivery[]> {
    const rows = this
      .prepare(`SELECT ${DELIVERY_COLUMNS} ${options.runId ? 'WHERE e.run_id = ?' : ''} ORDER BY d.id DESC LIMIT ? OFFSET ?`)
      .all(...(options.runId ? [options.runId] : []), options.limit ?? -1, options.offset ?? 0) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async countDeliveries(options: { runId?: string } = {}): Promise<number> {
    const { n } = this
      .prepare(`SELECT count(*) AS n FROM deliveries d JOIN events e ON e.id = d.event_id ${options.runId ? 'WHERE e.run_id = ?' : ''}`)
      .get(...(options.runId ? [options.runId] : [])) as { n: number };
    return n;
  }

  async pendingDeliveries(callbacks: readonly string[]): Promise<number> {
    if (callbacks.length === 0) return 0;
    const names = callbacks.map(() => '?').join(', ');
    return (this.prepare(`SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'delivering') AND callback IN (${names})`).get(...callbacks) as { n: number }).n;
  }
}
