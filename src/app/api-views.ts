/**
 * The JSON API's shapes, answered by the application layer, served by src/http and read by the browser UI (src/ui): types
 * only, so the UI bundle takes nothing else from the server. Every error is `{ error }` with
 * its HTTP status; times are ISO 8601 strings in UTC; hours are labels like `2019-06-01T15`.
 */

export type RunStatus = 'queued' | 'running' | 'success' | 'failed';

export interface ApiError {
  readonly error: string;
}

/** `GET /api/health` */
export interface Health {
  readonly status: 'ok';
  readonly version: string;
  /** `up` (scheduler, workers and server) or `serve` (server; it works on the runs asked of it when no scheduler is live). */
  readonly mode: 'up' | 'serve';
  readonly source: string;
  readonly lake: string;
  readonly format: 'parquet' | 'avro';
  readonly state: string;
  /** The IANA zone the source's hours are read in. */
  readonly timezone: string;
  /** Whether a scheduler (`eventlake up`) works on this state now. */
  readonly scheduler: boolean;
  /** Whether the server asks for a token (EVENTLAKE_TOKEN is set). */
  readonly auth: boolean;
}

/** A run as lists show it. */
export interface RunView {
  readonly id: string;
  readonly hour: string;
  readonly status: RunStatus;
  readonly trigger: string;
  readonly attempt: number;
  readonly queuedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The one-sentence reason a failed run gives (or why its last attempt failed). */
  readonly error?: string;
  /** Rows per entity, once it succeeded. */
  readonly events?: Record<string, number>;
  readonly quarantined?: number;
  /** How long it took, the time it lay failed before a replay left out. */
  readonly seconds?: number;
  /** That time, when the run's summary was stored without it. */
  readonly deadSeconds?: number;
  readonly poorQuality?: boolean;
  /** Running, but its process is gone (`eventlake resume` or `up` finishes it). */
  readonly orphaned?: boolean;
  /** Tasks done of the plan's tasks, once planned. */
  readonly tasks?: { readonly done: number; readonly total: number };
  /** When retention dropped its plan and queue messages (`state prune`): its summary stays. */
  readonly prunedAt?: string;
}

/** `GET /api/runs?status=&hour=&from=&to=&limit=` (newest first; `from`/`to` are hours, inclusive). */
export interface RunList {
  /** Newest first: at most `limit` of them, from the `offset`-th run that matches. */
  readonly runs: readonly RunView[];
  /** How many runs match the query in all (the page is `runs`). */
  readonly total: number;
  readonly offset: number;
}

/**
 * `GET /api/runs/hours?days=31`: the hour grid's window, whatever the history holds: the newest
 * `days` days that have runs (newest first) and the newest run of each of their hours.
 */
export interface RunHours {
  readonly days: readonly string[];
  /** Days that have runs in all: the window holds the newest `days.length` of them. */
  readonly totalDays: number;
  /** The newest run of each hour of those days (one per hour, so never more than 24 a day). */
  readonly runs: readonly RunView[];
}

/** `POST /api/runs` body: one hour, or a range (a backfill, inclusive). */
export type RunRequestBody = { readonly hour: string } | { readonly from: string; readonly to: string };

/**
 * `POST /api/runs` answer for `{hour}`: the run (201 when queued now, 200 when the hour already
 * had a run queued or running). For `{from, to}`: `{ runs }` (201).
 */
export type TriggerAnswer = RunView;
export interface BackfillAnswer {
  readonly runs: readonly RunView[];
}

export interface TaskView {
  readonly id: string;
  readonly objects: number;
  readonly bytes: number;
  readonly status: 'ready' | 'claimed' | 'done' | 'dead';
  readonly attempts: number;
  readonly error?: string;
}

export interface AttemptView {
  readonly kind: 'task' | 'finish';
  readonly taskId?: string;
  readonly attempt: number;
  readonly worker: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly outcome: 'running' | 'ok' | 'error' | 'lost';
  readonly error?: string;
}

export interface EntityCount {
  readonly entity: string;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
}

export interface QuarantinedLine {
  readonly source_object: string;
  readonly source_line: number;
  readonly reason: string;
  readonly raw: string;
}

export interface LogLine {
  readonly at: string;
  readonly level: string;
  readonly message: string;
}

/** `GET /api/runs/:id` */
export interface RunDetail {
  readonly run: RunView & { readonly source: string; readonly lake: string; readonly format: string };
  readonly tasks: readonly TaskView[];
  readonly attempts: readonly AttemptView[];
  readonly entities: readonly EntityCount[];
  /** The first quarantined lines (at most 200) and how many there are in all. */
  readonly quarantine: { readonly total: number; readonly lines: readonly QuarantinedLine[] };
  /** What the state recorded for the run: deadline misses, late data, quality alerts, retries. */
  readonly log: readonly LogLine[];
}

/** `GET /api/runs/:id/timeline`: events per minute per entity of a run that succeeded. */
export interface RunTimeline {
  readonly minutes: readonly string[];
  readonly series: readonly { readonly entity: string; readonly counts: readonly number[] }[];
  /** Rows of the run left off the chart: no event time, or one over 12 hours from the run's middle event (a device clock far off). */
  readonly omitted?: number;
}

export interface DeadLetterView {
  readonly id: number;
  readonly runId: string;
  readonly hour: string;
  readonly kind: 'task' | 'finish';
  readonly taskId?: string;
  readonly attempts: number;
  readonly error: string;
  readonly deadAt: string;
  readonly replayedAt?: string;
}

export interface DeadlineMissView {
  readonly id: number;
  readonly hour?: string;
  readonly runId?: string;
  readonly at: string;
  readonly payload: unknown;
}

export interface DeliveryView {
  readonly id: number;
  readonly event: string;
  /** The run and hour the event is about. */
  readonly runId?: string;
  readonly hour?: string;
  readonly callback: string;
  /** The callback's kind as this server's config has it; `unknown` when the config no longer names it. */
  readonly target: 'webhook' | 'command' | 'unknown';
  readonly status: 'pending' | 'delivering' | 'delivered' | 'failed';
  readonly attempts: number;
  /** A webhook's last HTTP status. */
  readonly httpStatus?: number;
  /** A command's last exit code. */
  readonly exitCode?: number;
  /** The last attempt's status or exit code, of a callback whose kind is unknown. */
  readonly code?: number;
  readonly error?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
}

/** The three lists of `GET /api/dlq`, by name. */
export interface DeadLetterLists<T> {
  readonly deadLetters: T;
  readonly deadlineMisses: T;
  readonly deliveries: T;
}

/**
 * `GET /api/dlq?limit=&deadLettersOffset=&deadlineMissesOffset=&deliveriesOffset=`: each list
 * newest first, paged as `GET /api/runs` is: at most `limit` of it from its offset, and its total.
 */
export interface DeadLetterList {
  readonly deadLetters: readonly DeadLetterView[];
  readonly deadlineMisses: readonly DeadlineMissView[];
  readonly deliveries: readonly DeliveryView[];
  /** How many each list holds in all. */
  readonly totals: DeadLetterLists<number>;
  /** Where each list's page starts. */
  readonly offsets: DeadLetterLists<number>;
}

/** `GET /api/dlq/:id`: the letter, its run, and the source objects of its task. */
export interface DeadLetterDetail {
  readonly deadLetter: DeadLetterView;
  readonly run: RunView;
  readonly objects: readonly { readonly key: string; readonly size: number }[];
}

/** `POST /api/dlq/:id/replay` (202) */
export interface ReplayAnswer {
  readonly deadLetter: DeadLetterView;
  readonly run: RunView;
}

export interface PartitionView {
  /** e.g. `vehicle/date=2019-06-01/hour=15` */
  readonly partition: string;
  readonly date: string;
  readonly hour: string;
  readonly files: number;
  /** Rows as the run that published it counted them; null when no run on this state did. */
  readonly rows: number | null;
  readonly bytes: number;
  /** Set when the partition holds several files smaller than they should be. */
  readonly warning?: string;
}

/** `GET /api/lake` */
export interface LakeView {
  readonly lake: string;
  readonly entities: readonly {
    readonly entity: string;
    /** `_quarantine`: the lines no entity took, with their reasons (JSON Lines). */
    readonly quarantine?: true;
    readonly files: number;
    readonly bytes: number;
    /** Rows of the partitions whose rows are known (see `uncounted`). */
    readonly rows: number;
    /** Partitions whose rows are unknown (no run on this state wrote them as they are): not in `rows`. */
    readonly uncounted: number;
    readonly partitions: readonly PartitionView[];
  }[];
}

/** `POST /api/sql` body; `explain` adds the plan and what it reads of the lake. */
export interface SqlRequestBody {
  readonly sql: string;
  readonly explain?: boolean;
}

export interface ExplainView {
  readonly plan: unknown;
  readonly files_read: number;
  readonly files_total: number;
  readonly partitions_read: number;
  readonly partitions_total: number;
  readonly warning: string | null;
}

/** `POST /api/sql` answer: at most 1,000 rows (`truncated` says there were more). */
export interface SqlAnswer {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  readonly truncated: boolean;
  readonly ms: number;
  readonly explain?: ExplainView;
}

/** `POST /api/sql/cancel` answer: how many running console queries were ended (0 or 1). */
export interface SqlCancelAnswer {
  readonly cancelled: number;
}

/** `GET /api/warehouse/avg-distance`: the BI answer per operating period. */
export interface AvgDistanceView {
  readonly periods: readonly { readonly organization_id: string; readonly period_id: string; readonly vehicles: number; readonly avg_km: number; readonly total_km: number }[];
}

/** `GET /api/warehouse/periods` */
export interface PeriodList {
  readonly periods: readonly { readonly organization_id: string; readonly period_id: string; readonly start: string; readonly finish: string }[];
}

/**
 * `GET /api/warehouse/tracks?period=<id>&organization=<id>`: each of the organization's vehicles'
 * positions in the period, in time order, [lng, lat]. `organization` may be left out when only
 * one organization has a period of that id.
 */
export interface TracksView {
  readonly organization_id: string;
  readonly period_id: string;
  readonly bounds: { readonly minLng: number; readonly minLat: number; readonly maxLng: number; readonly maxLat: number } | null;
  readonly vehicles: readonly { readonly vehicle_id: string; readonly points: readonly (readonly [number, number])[] }[];
}

/** `POST /api/warehouse/build` (the embedded warehouse, rebuilt from the lake). */
export interface WarehouseBuildAnswer {
  readonly loaded: readonly string[];
  readonly seconds: number;
}

/** `POST /api/login` body; answers 204 with an HttpOnly cookie, 401 on a wrong token. */
export interface LoginBody {
  readonly token: string;
}
