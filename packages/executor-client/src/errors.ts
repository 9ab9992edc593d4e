import type { ValidationIssue } from '@autopack/contracts';

/** Base of every error this client throws (an aborted call rethrows the signal's reason instead). */
export class AutopackClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The server answered with an error status. `code` is the envelope's stable code (`lease_lost`,
 * `illegal_transition`, …; `unknown` when the body was not an envelope, e.g. from a proxy).
 */
export class AutopackHttpError extends AutopackClientError {
  constructor(
    readonly operationId: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly correlationId: string | undefined,
    /** How many times the request was sent (retries included). */
    readonly attempts: number,
  ) {
    super(`${operationId}: HTTP ${status} ${code}: ${message}`);
  }
}

/** The request never got an answer (connection refused, reset, timed out), even after retries. */
export class AutopackNetworkError extends AutopackClientError {
  constructor(
    readonly operationId: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${operationId}: no answer after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The input does not satisfy the contract: nothing was sent. */
export class AutopackRequestError extends AutopackClientError {
  constructor(
    readonly operationId: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`${operationId}: invalid request: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

/** The server's answer does not match the contract (a version mismatch or a bug). */
export class AutopackResponseError extends AutopackClientError {
  constructor(
    readonly operationId: string,
    readonly status: number,
    message: string,
  ) {
    super(`${operationId}: unexpected answer (HTTP ${status}): ${message}`);
  }
}
