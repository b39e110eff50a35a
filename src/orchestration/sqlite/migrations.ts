/**
 * The state database's schema, as numbered migrations: a database at version N gets the ones
 * after N, in order, inside one write transaction (see state-database.ts). Never edit a
 * migration that has shipped; add the next one. Times are milliseconds since the epoch.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, the queue of their stages, attempts, dead letters, events and their deliveries.
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    lake TEXT NOT NULL,
    hour TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'success', 'failed')),
    trigger TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    request TEXT NOT NULL,
    manifest TEXT,
    owner TEXT,
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    not_before INTEGER,
    error TEXT,
    summary TEXT,
    poor_quality INTEGER NOT NULL DEFAULT 0
  );
  -- One queued or running run per hour of a lake, whoever asks.
  CREATE UNIQUE INDEX runs_one_active ON runs (lake, hour) WHERE status IN ('queued', 'running');
  CREATE INDEX runs_by_hour ON runs (lake, hour, queued_at);
  CREATE INDEX runs_by_status ON runs (status, queued_at);

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id),
    kind TEXT NOT NULL CHECK (kind IN ('task', 'finish')),
    task_id TEXT NOT NULL DEFAULT '',
    body TEXT,
    status TEXT NOT NULL CHECK (status IN ('ready', 'claimed', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    visible_at INTEGER NOT NULL,
    claimed_by TEXT,
    result TEXT,
    error TEXT,
    UNIQUE (run_id, kind, task_id)
  );
  CREATE INDEX messages_visible ON messages (run_id, status, visible_at);
  CREATE INDEX messages_claimed ON messages (status, claimed_by);

  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    attempt INTEGER NOT NULL,
    worker TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'error', 'lost')),
    error TEXT
  );
  CREATE INDEX attempts_by_message ON attempts (message_id);

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    attempts INTEGER NOT NULL,
    error TEXT NOT NULL,
    dead_at INTEGER NOT NULL,
    replayed_at INTEGER
  );

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    run_id TEXT,
    lake TEXT,
    hour TEXT,
    payload TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX events_by_run ON events (run_id);

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id),
    callback TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    claimed_by TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER,
    error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX deliveries_by_status ON deliveries (status, id);

  CREATE TABLE schedulers (
    owner TEXT PRIMARY KEY,
    lake TEXT NOT NULL,
    source TEXT NOT NULL,
    since INTEGER NOT NULL
  );

  CREATE TABLE marks (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: each scheduler's progress (ticks, the last one's time, late-data checks), for status and
  // for tests that wait for ticks instead of sleeping.
  `
  ALTER TABLE schedulers ADD COLUMN ticks INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE schedulers ADD COLUMN last_tick_at INTEGER;
  ALTER TABLE schedulers ADD COLUMN late_checks INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: claims kept alive by heartbeats. A claimed message carries a random token that completing,
  // failing, heartbeating or releasing it must present (a claim taken over refuses its old
  // holder); a running run's owner holds it until `claim_expires_at`, extended by heartbeats, so
  // a frozen owner's runs are taken over (and stop counting against maxActiveRuns) once it lapses.
  // NULL (runs started before this migration): only the owner's death frees the run.
  `
  ALTER TABLE messages ADD COLUMN claim_token TEXT;
  ALTER TABLE runs ADD COLUMN claim_expires_at INTEGER;
  `,
  // 4: retention. A finished run whose manifest and messages were pruned keeps its record and
  // summary, and says when it was pruned.
  `
  ALTER TABLE runs ADD COLUMN pruned_at INTEGER;
  CREATE INDEX runs_by_finish ON runs (finished_at) WHERE pruned_at IS NULL AND finished_at IS NOT NULL;
  `,
];
