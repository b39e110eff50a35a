/** An API call that did not succeed: the HTTP status (0 when the server did not answer) and the server's one-sentence reason. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export function asFailure(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  return new ApiFailure(0, err instanceof Error ? err.message : String(err));
}
