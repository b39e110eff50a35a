/** The login throttle on an injected clock: per client and overall, refilled with time, never a lockout for a clean client. */
import { describe, expect, it } from 'vitest';
import { clientKey } from '../../src/http/client-key.js';
import { GLOBAL_BURST, GLOBAL_REFILL_MS, LoginThrottle, PER_CLIENT_BURST, PER_CLIENT_REFILL_MS } from '../../src/http/login-throttle.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 5_000_000;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe('LoginThrottle', () => {
  it(`admits ${PER_CLIENT_BURST} wrong tries from a client, then one per ${PER_CLIENT_REFILL_MS / 1000} s, with the wait in whole seconds`, () => {
    const time = clock();
    const throttle = new LoginThrottle(time.now);
    for (let i = 0; i < PER_CLIENT_BURST; i++) {
      expect(throttle.admit('10.0.0.1')).toEqual({ admitted: true });
      throttle.failed('10.0.0.1');
    }
    expect(throttle.admit('10.0.0.1')).toEqual({ admitted: false, retryAfterS: PER_CLIENT_REFILL_MS / 1000, reason: 'too many wrong tokens from this address' });
    time.advance(PER_CLIENT_REFILL_MS - 1500);
    expect(throttle.admit('10.0.0.1')).toMatchObject({ admitted: false, retryAfterS: 2 });
    time.advance(1500);
    expect(throttle.admit('10.0.0.1')).toEqual({ admitted: true });
    throttle.failed('10.0.0.1');
    expect(throttle.admit('10.0.0.1')).toMatchObject({ admitted: false });
    // Another client is not held up by this one.
    expect(throttle.admit('10.0.0.2')).toEqual({ admitted: true });
  });

  it('keeps at most 10,000 client records: when none is full, the oldest goes, not the memory', () => {
    const time = clock();
    const throttle = new LoginThrottle(time.now);
    for (let i = 0; i < PER_CLIENT_BURST; i++) throttle.failed('10.0.0.1');
    expect(throttle.admit('10.0.0.1')).toMatchObject({ admitted: false });
    // Ten thousand more addresses, each with a wrong try on record (none full to sweep): the
    // first record is the oldest and makes room, so that address is a stranger again.
    for (let i = 0; i < 10_000; i++) throttle.failed(`10.1.${i >> 8}.${i & 255}`);
    expect(throttle.admit('10.0.0.1')).toEqual({ admitted: true });
    // The newest records are kept.
    for (let i = 0; i < PER_CLIENT_BURST; i++) throttle.failed('10.1.39.15');
    expect(throttle.admit('10.1.39.15')).toMatchObject({ admitted: false });
  });

  it('forgets a client’s wrong tries once it gives the right token', () => {
    const throttle = new LoginThrottle(clock().now);
    for (let i = 0; i < PER_CLIENT_BURST; i++) throttle.failed('10.0.0.1');
    throttle.succeeded('10.0.0.1');
    expect(throttle.admit('10.0.0.1')).toEqual({ admitted: true });
  });

  it('slows every client with a wrong try once the overall budget is spent, but still hears a client with none', () => {
    const time = clock();
    const throttle = new LoginThrottle(time.now);
    // Many addresses, two wrong tries each: the overall budget runs out before any client's own.
    for (let i = 0; i < GLOBAL_BURST / 2; i++) {
      throttle.failed(`10.1.0.${i}`);
      throttle.failed(`10.1.0.${i}`);
    }
    const slowed = throttle.admit('10.1.0.1');
    expect(slowed).toEqual({ admitted: false, retryAfterS: GLOBAL_REFILL_MS / 1000, reason: 'too many wrong tokens lately, from all addresses together' });
    expect(throttle.admit('192.168.7.7')).toEqual({ admitted: true });
    // A fresh address's wrong try does not push the overall wait out further: slow, not locked.
    throttle.failed('192.168.7.8');
    time.advance(GLOBAL_REFILL_MS);
    expect(throttle.admit('10.1.0.1')).toEqual({ admitted: true });
  });
});

describe('clientKey', () => {
  it('counts IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
