/**
 * The UI's pages, addressed by the URL's hash (#/runs, #/runs/<id>, #/dlq, #/dlq/<id>, #/lake,
 * #/warehouse) so the server only ever serves `/`.
 */
export type Route =
  | { readonly page: 'runs' }
  | { readonly page: 'run'; readonly id: string }
  | { readonly page: 'dlq'; readonly id?: number }
  | { readonly page: 'lake' }
  | { readonly page: 'warehouse' }
  | { readonly page: 'unknown'; readonly hash: string };

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const parts = path.split('/').filter((p) => p.length > 0);
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: 'unknown', hash };
  if (first === undefined) return { page: 'runs' };
  if (first === 'runs') {
    if (second === undefined) return { page: 'runs' };
    const id = decoded(second);
    return id ? { page: 'run', id } : { page: 'unknown', hash };
  }
  if (first === 'dlq') {
    if (second === undefined) return { page: 'dlq' };
    return /^\d{1,15}$/.test(second) ? { page: 'dlq', id: Number(second) } : { page: 'unknown', hash };
  }
  if ((first === 'lake' || first === 'warehouse') && second === undefined) return { page: first };
  return { page: 'unknown', hash };
}

export const runHref = (id: string): string => `#/runs/${encodeURIComponent(id)}`;
export const deadLetterHref = (id: number): string => `#/dlq/${id}`;
