import { Injectable } from '@nestjs/common';

/**
 * How payments tells the booking that money moved (DESIGN.md section 2: payments
 * exposes a port, reservations implements it; no cycle, no forward reference). Every
 * method runs inside the caller's transaction, together with the payment row change and
 * the webhook event, and must be idempotent: the same outcome may be reported more than once.
 */
export type SucceededOutcome =
  /** The reservation is (now, or already) confirmed. */
  | { result: 'confirmed' }
  /** The reservation's inventory is gone (hold expired and since sold): give the money back. */
  | { result: 'refund'; reason: string };

/** What a payment outcome means for the booking: reservations' `ReservationPaymentOutcomes` implements it. */
export abstract class BookingPaymentOutcomes {
  /** The money is in (or authorised, for manual capture). Confirm the reservation, re-taking its inventory if it had expired. */
  abstract paymentSucceeded(reservationId: string, paymentId: string): Promise<SucceededOutcome>;
  /**
   * A card is set up for the off-session authorisation to come (a vehicle booked further
   * ahead than the lead days: `paymentStatus: scheduled`). Confirm the reservation exactly
   * as `paymentSucceeded` does; `refund` here means it cannot be kept (nothing was taken).
   */
  abstract paymentScheduled(reservationId: string, setupId: string): Promise<SucceededOutcome>;
  /** The attempt failed (declined); the hold may be converted again while its timer runs. */
  abstract paymentFailed(reservationId: string, paymentId: string): Promise<void>;
  /** The payment needs the user (3-D Secure). */
  abstract paymentRequiresAction(reservationId: string, paymentId: string): Promise<void>;
  /** All the money went back: mark the reservation refunded, with a reason. */
  abstract paymentRefunded(reservationId: string, paymentId: string, reason: string): Promise<void>;
}

/**
 * The port as payments injects it and exports it: reservations registers its
 * `BookingPaymentOutcomes` here at start-up (payments cannot import reservations), and
 * every call forwards to it.
 */
@Injectable()
export class BookingPaymentOutcomesPort extends BookingPaymentOutcomes {
  private implementation: BookingPaymentOutcomes | null = null;

  register(implementation: BookingPaymentOutcomes): void {
    this.implementation = implementation;
  }

  private get target(): BookingPaymentOutcomes {
    if (!this.implementation) throw new Error('no BookingPaymentOutcomes is registered (ReservationsModule registers it)');
    return this.implementation;
  }

  paymentSucceeded(reservationId: string, paymentId: string): Promise<SucceededOutcome> {
    return this.target.paymentSucceeded(reservationId, paymentId);
  }

  paymentScheduled(reservationId: string, setupId: string): Promise<SucceededOutcome> {
    return this.target.paymentScheduled(reservationId, setupId);
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
