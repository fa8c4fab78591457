import { AppError } from '@holdfast/errors';
import { isDatabaseUnavailable } from '../database/database-connector';
import { PaymentGatewayError } from './payment-gateway';

/**
 * Our database could not be reached while a payment was handled (its connection killed,
 * say): 503 SERVICE_UNAVAILABLE with Retry-After, as the exception filter answers such
 * errors elsewhere. Not 502 PAYMENT_PROCESSING_FAILED: the card may well have been charged.
 */
class PaymentDatabaseUnavailableError extends AppError {
  override readonly retryAfterSeconds = 2;

  constructor(cause: unknown) {
    super(
      'SERVICE_UNAVAILABLE',
      'The booking database cannot be reached right now; retry shortly (with the same X-Idempotency-Key)',
    );
    this.cause = cause;
  }
}

/**
 * Turns a provider failure into our code: declines (insufficient funds included) are the
 * user's to fix; the rest is ours. The database being unreachable meanwhile is no payment
 * failure: SERVICE_UNAVAILABLE.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new PaymentDatabaseUnavailableError(error);
  if (error instanceof PaymentGatewayError) {
    if (error.kind === 'card_declined') {
      const why = error.declineCode === 'insufficient_funds' ? 'Your card has insufficient funds' : 'Your card was declined';
      return new AppError('PAYMENT_CARD_DECLINED', why);
    }
    return new AppError('PAYMENT_PROCESSING_FAILED', 'The payment could not be processed; please try again');
  }
  return new AppError('PAYMENT_PROCESSING_FAILED', 'The payment could not be processed; please try again');
}
