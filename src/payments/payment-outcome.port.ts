import { Injectable } from '@nestjs/common';

/**
 * How payments tells reservations that money moved (DESIGN.md section 2: payments
 * exposes a port, reservations implements it; no cycle, no forward reference). Reservations
 * registers its implementation at start-up. Every method runs inside the caller's
 * transaction, together with the payment row change and the webhook event, and must be
 * idempotent: the same outcome may be reported more than once.
 */
export type SucceededOutcome =
  /** The reservation is (now, or already) confirmed. */
  | { result: 'confirmed' }
  /** The reservation's inventory is gone (hold expired and since sold): give the money back. */
  | { result: 'refund'; reason: string };

export interface PaymentOutcomePort {
  /** The money is in (or authorised, for manual capture). Confirm the reservation, re-taking its inventory if it had expired. */
  paymentSucceeded(reservationId: string, paymentId: string): Promise<SucceededOutcome>;
  /** The attempt failed (declined); the hold may be converted again while its timer runs. */
  paymentFailed(reservationId: string, paymentId: string): Promise<void>;
  /** The payment needs the user (3-D Secure). */
  paymentRequiresAction(reservationId: string, paymentId: string): Promise<void>;
  /** All the money went back: mark the reservation refunded, with a reason. */
  paymentRefunded(reservationId: string, paymentId: string, reason: string): Promise<void>;
}

/** The port as payments injects it: forwards to whatever reservations registered. */
@Injectable()
export class PaymentOutcomes implements PaymentOutcomePort {
  private port: PaymentOutcomePort | null = null;

  register(port: PaymentOutcomePort): void {
    this.port = port;
  }

  private get target(): PaymentOutcomePort {
    if (!this.port) throw new Error('no PaymentOutcomePort is registered (ReservationsModule registers it)');
    return this.port;
  }

  paymentSucceeded(reservationId: string, paymentId: string): Promise<SucceededOutcome> {
    return this.target.paymentSucceeded(reservationId, paymentId);
  }

  paymentFailed(reservationId: string, paymentId: string): Promise<void> {
    return this.target.paymentFailed(reservationId, paymentId);
  }

  paymentRequiresAction(reservationId: string, paymentId: string): Promise<void> {
    return this.target.paymentRequiresAction(reservationId, paymentId);
  }

  paymentRefunded(reservationId: string, paymentId: string, reason: string): Promise<void> {
    return this.target.paymentRefunded(reservationId, paymentId, reason);
  }
}
