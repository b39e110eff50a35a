/**
 * Same-origin calls to the JSON API. Every POST sends `Content-Type: application/json` (the
 * server refuses anything else, as its CSRF guard), with `{}` when there is nothing to say. The
 * session is the server's HttpOnly cookie: no token is ever kept here. A 401 from any call tells
 * the listeners (the app shows its login form).
 */
import type { ApiError } from '../../app/api-views.js';
import { ApiFailure } from './api-failure.js';

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Calls `listener` whenever the server answers 401; returns the unsubscribe function. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function failureOf(response: Response): Promise<ApiFailure> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (typeof body.error === 'string' && body.error.length > 0) return new ApiFailure(response.status, body.error);
  } catch {
    // Not JSON (a proxy's page, say): the status line says enough.
  }
  return new ApiFailure(response.status, `the server answered ${response.status} ${response.statusText}`.trim());
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: method === 'POST' ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    throw new ApiFailure(0, `the eventlake server at ${location.host} does not answer; is it still running?`);
  }
  if (response.status === 401) for (const listener of [...unauthorizedListeners]) listener();
  if (!response.ok) throw await failureOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function getJson<T>(path: string): Promise<T> {
  return call<T>('GET', path);
}

export function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return call<T>('POST', path, body);
}
