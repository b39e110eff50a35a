/** What the console's process is asked (one job per process) and what it answers, over IPC. */

export interface ConsoleJob {
  readonly mode: 'read' | 'explain';
  readonly stateDir: string;
  readonly sql: string;
}

/** A partition the warehouse loaded, with how many lake files it has. */
export interface ConsolePartition {
  readonly entity: string;
  readonly date: string;
  readonly hour: number;
  readonly files: number;
}

export type ConsoleMessage =
  | { readonly kind: 'columns'; readonly columns: string[] }
  /** A batch of rows, each with its size as JSON text; the process waits for `more` before the next. */
  | { readonly kind: 'rows'; readonly rows: Record<string, unknown>[]; readonly sizes: number[] }
  | { readonly kind: 'end' }
  | { readonly kind: 'plan'; readonly plan: unknown; readonly partitions: ConsolePartition[] }
  | { readonly kind: 'refused'; readonly message: string };

/** The parent's go-ahead for the next batch. */
export interface ConsoleMore {
  readonly kind: 'more';
}
