/** An error answered by the API server (or the transport), carrying the HTTP status and the server's message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    message: string,
    /** HTTP status code; 0 when the request never got an answer (connection refused, timeout). */
    readonly statusCode: number,
    /** The Status object's `reason`, e.g. NotFound, Conflict, Expired, Invalid. */
    readonly reason?: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  return err instanceof KubeApiError ? err.statusCode : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;
/** A failed JSON-patch `test` op or a schema violation: the server understood and refused. */
export const isInvalid = (err: unknown): boolean => statusCodeOf(err) === 422;

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

/** Builds the error from a `kind: Status` body when there is one, falling back to the raw text. */
export function apiErrorFromResponse(method: string, path: string, statusCode: number, bodyText: string): KubeApiError {
  let status: StatusBody | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object') status = parsed;
  } catch {
    status = undefined;
  }
  const serverMessage = status?.message ?? (bodyText.trim().slice(0, 500) || 'no message');
  return new KubeApiError(
    `${method} ${path}: HTTP ${statusCode}: ${serverMessage}`,
    statusCode,
    status?.reason,
    status?.details,
  );
}
