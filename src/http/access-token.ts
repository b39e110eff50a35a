/**
 * The server's token (EVENTLAKE_TOKEN): required on every address once set, and before binding
 * anything but loopback, where it must be at least MIN_TOKEN_LENGTH characters. API calls send it
 * as `Authorization: Bearer …`; the UI logs in once and then carries an HttpOnly cookie holding a
 * random session id (session-store.ts), never the token. Every token offered is compared in
 * constant time, under the login throttle (login-throttle.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UserError } from '../errors/user-error.js';
import { HttpError } from './http-error.js';
import type { LoginThrottle } from './login-throttle.js';

export const SESSION_COOKIE = 'eventlake_session';

/** Beyond loopback a shorter token is refused: guessing must stay hopeless even at the throttle's rates. */
export const MIN_TOKEN_LENGTH = 16;

/** 127.0.0.0/8, ::1 and the name localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The token to require, or undefined on loopback without one; refuses any other address without
 * one, or with one shorter than MIN_TOKEN_LENGTH characters (the token itself is never shown).
 */
export function requiredToken(host: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const token = env['EVENTLAKE_TOKEN'];
  if (token !== undefined && token.trim() !== '') {
    const length = [...token.trim()].length;
    if (!isLoopback(host) && length < MIN_TOKEN_LENGTH) {
      throw new UserError(
        `serving on ${host} reaches beyond this machine, so EVENTLAKE_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters (it has ${length}): set a longer one (openssl rand -base64 24 makes one), or keep the default host 127.0.0.1`,
      );
    }
    return token;
  }
  if (!isLoopback(host)) {
    throw new UserError(
      `serving on ${host} reaches beyond this machine, so it needs a token: set EVENTLAKE_TOKEN${token === undefined ? '' : ' (it is empty)'}, or keep the default host 127.0.0.1`,
    );
  }
  return undefined;
}

/** Compares in constant time (over digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether `given`, offered by `client`, is the token: a throttled client is answered 429 (with
 * Retry-After) before anything is compared; a wrong token counts against it.
 */
export function offeredToken(throttle: LoginThrottle, client: string, given: string, token: string): boolean {
  const admission = throttle.admit(client);
  if (!admission.admitted) {
    throw new HttpError(429, `${admission.reason}: try again in ${admission.retryAfterS} s`, { 'Retry-After': String(admission.retryAfterS) });
  }
  if (sameSecret(given, token)) {
    throttle.succeeded(client);
    return true;
  }
  throttle.failed(client);
  return false;
}
