/** The web UI's sessions, on an injected clock: random ids, idle and absolute expiry, revocation, a cap. */
import { describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS, SESSION_LIFETIME_MS, SessionStore } from '../../src/http/session-store.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe('SessionStore', () => {
  it('hands out a different random id of at least 128 bits at every login', () => {
    const store = new SessionStore(clock().now);
    const ids = Array.from({ length: 50 }, () => store.open());
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url: 256 bits
      expect(store.use(id)).toBe(true);
    }
    expect(store.use('not-a-session')).toBe(false);
    expect(store.use(undefined)).toBe(false);
    expect(store.use('')).toBe(false);
  });

  it('ends a session left idle for SESSION_IDLE_MS; each use restarts the idle time', () => {
    const time = clock();
    const store = new SessionStore(time.now);
    const id = store.open();
    time.advance(SESSION_IDLE_MS - 1);
    expect(store.use(id)).toBe(true);
    time.advance(SESSION_IDLE_MS - 1);
    expect(store.use(id)).toBe(true);
    time.advance(SESSION_IDLE_MS);
    expect(store.use(id)).toBe(false);
    time.advance(-SESSION_IDLE_MS); // gone for good, not just out of time
    expect(store.use(id)).toBe(false);
  });

  it('ends a busy session SESSION_LIFETIME_MS after its login', () => {
    const time = clock();
    const store = new SessionStore(time.now);
    const id = store.open();
    for (let spent = 0; spent < SESSION_LIFETIME_MS - 60_000; spent += 60_000) {
      expect(store.use(id)).toBe(true);
      time.advance(60_000);
    }
    expect(store.use(id)).toBe(true);
    time.advance(60_000);
    expect(store.use(id)).toBe(false);
  });

  it('revokes one session, leaving the others', () => {
    const store = new SessionStore(clock().now);
    const [a, b] = [store.open(), store.open()];
    store.revoke(a);
    store.revoke(undefined);
    expect(store.use(a)).toBe(false);
    expect(store.use(b)).toBe(true);
  });

  it('keeps at most maxSessions, dropping the oldest login, and sweeps expired ones at login', () => {
    const time = clock();
    const store = new SessionStore(time.now, { idleMs: 1000, lifetimeMs: 10_000, maxSessions: 3 });
    const ids = [store.open(), store.open(), store.open(), store.open()];
    expect(ids.map((id) => store.use(id))).toEqual([false, true, true, true]);
    time.advance(1000);
    store.open();
    expect(store.size).toBe(1);
  });
});
