/**
 * A server's sentence as a person using the pages reads it: the API's hints for callers of the
 * JSON API (`…; send {"hour": "2019-06-01T15"}`) name a syntax the forms write for them, so the
 * UI drops them and keeps what is wrong.
 */
const API_HINT = /(?:;|:)\s*send \{.*\}\s*$/s;

export function forPeople(message: string): string {
  const kept = message.replace(API_HINT, '').trim();
  return kept.length > 0 ? kept : message;
}
