/**
 * A webhook URL split into what is requested, what may be shown, and what must not be: tokens
 * live in `user:password@` and in query strings, so messages show neither.
 */
export interface WebhookUrl {
  /** The URL fetch is given: no credentials, which fetch refuses in a URL. */
  readonly request: string;
  /** Scheme, host and path only, for messages. */
  readonly display: string;
  /** `Basic …` from the URL's credentials, sent as a header instead, as curl does. */
  readonly authorization?: string;
  /** Texts no message may contain, for a last check on errors written by others. */
  readonly secrets: readonly string[];
}

export function parseWebhookUrl(text: string): WebhookUrl | { readonly error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text itself is not shown: it could not be parsed, so neither could its secrets be cut out.
    return { error: 'webhook url is not a valid URL' };
  }
  // Slack, Discord and Teams keep their secret in the path: messages show the host only.
  const display = `${url.protocol}//${url.host}${url.pathname === '/' ? '/' : '/…'}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `webhook ${display} is not an http or https URL` };
  const secrets = [url.password, safeDecode(url.password), url.search.slice(1)].filter((s) => s.length >= 4);
  if (url.username === '' && url.password === '') return { request: url.href, display, secrets };
  const credentials = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
  url.username = '';
  url.password = '';
  return { request: url.href, display, authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, secrets };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
