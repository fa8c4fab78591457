import { ERROR_STATUS, type ErrorCode } from './error-codes';

/** One problem with one field of a request, as listed in an error's `details`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/**
 * The one exception type domain code throws. The global filter renders it as
 * `{ error: code, message, details? }` with the status DESIGN.md assigns to the code.
 */
export class AppError extends Error {
  readonly status: number;
  /** Seconds a client should wait before retrying (sent as `Retry-After`); set by errors of a passing outage. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}
