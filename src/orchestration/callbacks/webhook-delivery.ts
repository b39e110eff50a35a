/**
 * Delivering a callback to a webhook: the payload POSTed as JSON, a timeout per attempt, retries
 * with backoff, and a 2xx answer as the only success.
 */
import type { CallbackPayload, CallbackTarget, DeliveryOutcome } from './callback-event.js';
import { attemptWithRetries, durationText, failedBeforeAttempt, type AttemptResult, type DeliveryOptions } from './delivery-attempts.js';
import { expandEnvReferences } from './env-references.js';
import { parseWebhookUrl, type WebhookUrl } from './webhook-url.js';

export type WebhookTarget = Extract<CallbackTarget, { kind: 'webhook' }>;

/** Error codes that mean the request never reached a server. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Never throws: every failure is an outcome with `ok: false`. */
export async function deliverWebhook(target: WebhookTarget, payload: CallbackPayload, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const started = performance.now();
  const url = parseWebhookUrl(target.url);
  if ('error' in url) return failedBeforeAttempt(url.error, started);
  const headers = requestHeaders(target, url);
  if ('error' in headers) return failedBeforeAttempt(headers.error, started);
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch {
    return failedBeforeAttempt(`webhook ${url.display} payload could not be written as JSON`, started);
  }
  const secrets = [...url.secrets, ...headers.secrets];
  return attemptWithRetries(target.retries, options, async () => redact(await post(target, url, headers.headers, body, options.signal), secrets));
}

interface RequestHeaders {
  readonly headers: Headers;
  readonly secrets: readonly string[];
}

/** Ours, then the URL's credentials, then the target's with `${env:NAME}` read now. */
function requestHeaders(target: WebhookTarget, url: WebhookUrl): RequestHeaders | { readonly error: string } {
  const headers = new Headers({ 'content-type': 'application/json', 'user-agent': 'eventlake' });
  const secrets: string[] = [];
  if (url.authorization !== undefined) {
    headers.set('authorization', url.authorization);
    secrets.push(url.authorization);
  }
  for (const [name, raw] of Object.entries(target.headers)) {
    const expanded = expandEnvReferences(raw);
    if ('missing' in expanded) {
      return { error: `webhook ${url.display} header ${name} needs environment variable ${expanded.missing}, which is not set` };
    }
    try {
      headers.set(name, expanded.value);
    } catch {
      // fetch's own message quotes the value, which may be the secret.
      return { error: `webhook ${url.display} header ${name} has a name or value HTTP does not allow, such as a line break` };
    }
    secrets.push(raw, expanded.value);
  }
  return { headers, secrets: secrets.filter((s) => s.length >= 4) };
}

async function post(target: WebhookTarget, url: WebhookUrl, headers: Headers, body: string, stop?: AbortSignal): Promise<AttemptResult> {
  try {
    const response = await fetch(url.request, {
      method: 'POST',
      headers,
      body,
      signal: stop ? AbortSignal.any([AbortSignal.timeout(target.timeoutMs), stop]) : AbortSignal.timeout(target.timeoutMs),
      // A redirect would turn the POST into a GET, or carry the headers to another host: a 3xx is an answer.
      redirect: 'manual',
    });
    // The answer's body is not read; cancelling it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `webhook ${url.display} answered ${response.status}` };
  } catch (error) {
    return { ok: false, error: `webhook ${url.display} ${failure(error, target.timeoutMs)}` };
  }
}

/** What went wrong with a request that got no answer, e.g. "could not connect: ECONNREFUSED". */
function failure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${durationText(timeoutMs)}`;
  // fetch wraps the socket's error as its cause; with several addresses tried, the cause aggregates them.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = codeOf(cause);
  if (code !== undefined && CONNECT_CODES.has(code)) return `could not connect: ${code}`;
  if (code !== undefined) return `failed: ${code}`;
  return `failed: ${cause instanceof Error ? cause.message : String(cause)}`;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  return Array.isArray(errors) ? codeOf(errors[0]) : undefined;
}

/** A last check: no secret in a message, even in one a library wrote. */
function redact(result: AttemptResult, secrets: readonly string[]): AttemptResult {
  if (result.error === undefined) return result;
  const error = secrets.reduce((text, secret) => text.split(secret).join('***'), result.error);
  return { ...result, error };
}
