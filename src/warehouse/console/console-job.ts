/** What the console's process is asked (one job per process) and what it answers, over IPC. */
import type { ExplainSource, LakeFile } from '../explain-report.js';

export interface ConsoleJob {
  readonly mode: 'read' | 'explain';
  readonly stateDir: string;
  readonly sql: string;
}

export type ConsoleMessage =
  | { readonly kind: 'columns'; readonly columns: string[] }
  /** A batch of rows, each with its size as JSON text; the process waits for `more` before the next. */
  | { readonly kind: 'rows'; readonly rows: Record<string, unknown>[]; readonly sizes: number[] }
  | { readonly kind: 'end' }
  /** The plan, the lake files the views were made of, and what the query names (with the files its paths match). */
  | { readonly kind: 'plan'; readonly plan: unknown; readonly lakeFiles: LakeFile[]; readonly sources: ExplainSource[] }
  | { readonly kind: 'refused'; readonly message: string };

/** The parent's go-ahead for the next batch. */
export interface ConsoleMore {
  readonly kind: 'more';
}
