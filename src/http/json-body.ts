/** A request's JSON body, checked against its schema: what is wrong is named in one sentence. */
import type { Context } from 'hono';
import type * as z from 'zod';
import { HttpError } from './http-error.js';

export async function jsonBody<Schema extends z.ZodType>(c: Context, schema: Schema, example: string): Promise<z.output<Schema>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HttpError(400, `the body is not JSON: send ${example}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new HttpError(400, `${where}${issue?.message ?? 'not what this route takes'}; send ${example}`);
  }
  return parsed.data;
}
