/**
 * The server's token (EVENTLAKE_TOKEN): required on every address once set, and before binding
 * anything but loopback. API calls send it as `Authorization: Bearer …`; the UI logs in once and
 * then carries an HttpOnly cookie holding an HMAC of it, so the cookie never reveals the token
 * and changing the token ends every session.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { UserError } from '../errors/user-error.js';

export const SESSION_COOKIE = 'eventlake_session';

/** 127.0.0.0/8, ::1 and the name localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The token to require, or undefined on loopback without one; refuses any other address without one. */
export function requiredToken(host: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const token = env['EVENTLAKE_TOKEN'];
  if (token !== undefined && token.trim() !== '') return token;
  if (!isLoopback(host)) {
    throw new UserError(
      `serving on ${host} reaches beyond this machine, so it needs a token: set EVENTLAKE_TOKEN${token === undefined ? '' : ' (it is empty)'}, or keep the default host 127.0.0.1`,
    );
  }
  return undefined;
}

export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('eventlake session v1').digest('base64url');
}

/** Compares in constant time (over digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A wrong token costs this long, at login and on every API call alike: guessing stays slow. */
export const WRONG_TOKEN_DELAY_MS = 500;

export function wrongTokenPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, WRONG_TOKEN_DELAY_MS));
}
