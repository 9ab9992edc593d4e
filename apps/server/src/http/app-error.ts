import type { ErrorCode, ValidationIssue } from '@autopack/contracts';

/** An expected failure: mapped to its status and the error envelope by the error handler. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function validationError(details: ValidationIssue[]): AppError {
  const summary = details
    .slice(0, 5)
    .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
    .join('; ');
  const more = details.length > 5 ? ` (and ${details.length - 5} more)` : '';
  return new AppError('validation_failed', 400, `invalid request: ${summary}${more}`, details);
}

export const notFound = (
  code: 'run_not_found' | 'phase_not_found' | 'not_found' | 'request_not_found' | 'artifact_not_found',
  message: string,
) => new AppError(code, 404, message);

export const conflict = (code: ErrorCode, message: string, details?: unknown) => new AppError(code, 409, message, details);
