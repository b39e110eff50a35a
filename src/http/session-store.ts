/**
 * The web UI's sessions: at login the server hands out a random id (256 bits from
 * `crypto.randomBytes`) as the HttpOnly cookie and keeps it here, in memory only: a restart logs
 * everyone out, which is the safe default. A session ends after SESSION_IDLE_MS without a
 * request, SESSION_LIFETIME_MS after its login at the latest, or at logout (the id is revoked
 * here, so the old cookie is refused afterwards). Ids are kept as SHA-256 digests: the map holds
 * nothing a reader of memory could send back as a cookie, and a lookup compares no secret text.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Two hours without a request end a session (the UI polls every 2 s while its tab is visible). */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** A day after its login, a session ends however busy it is. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Live sessions kept at most; past this the oldest login is dropped. */
export const MAX_SESSIONS = 1000;

export interface SessionLimits {
  readonly idleMs: number;
  readonly lifetimeMs: number;
  readonly maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: SESSION_IDLE_MS, lifetimeMs: SESSION_LIFETIME_MS, maxSessions: MAX_SESSIONS };

interface Session {
  readonly opened: number;
  lastSeen: number;
}

function digestOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  /** By digest of the id, in order of login (a Map keeps insertion order). */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  /** A new session: its id, for the cookie. */
  open(): string {
    this.dropExpired();
    while (this.sessions.size >= this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    this.sessions.set(digestOf(id), { opened: at, lastSeen: at });
    return id;
  }

  /** Whether `id` names a live session; using it restarts its idle time. */
  use(id: string | undefined): boolean {
    if (id === undefined || id === '') return false;
    const key = digestOf(id);
    const session = this.sessions.get(key);
    if (session === undefined) return false;
    const at = this.now();
    if (this.expired(session, at)) {
      this.sessions.delete(key);
      return false;
    }
    session.lastSeen = at;
    return true;
  }

  /** Ends the session `id` names, if any: its cookie is refused from now on. */
  revoke(id: string | undefined): void {
    if (id !== undefined && id !== '') this.sessions.delete(digestOf(id));
  }

  /** Live sessions (expired ones not yet swept count until the next login). */
  get size(): number {
    return this.sessions.size;
  }

  private expired(session: Session, at: number): boolean {
    return at - session.lastSeen >= this.limits.idleMs || at - session.opened >= this.limits.lifetimeMs;
  }

  private dropExpired(): void {
    const at = this.now();
    for (const [key, session] of this.sessions) if (this.expired(session, at)) this.sessions.delete(key);
  }
}
