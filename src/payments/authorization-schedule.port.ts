import { Injectable } from '@nestjs/common';

/**
 * Who looks after a vehicle's money once it is booked (DESIGN.md section 12, "Money"): it
 * keeps the card authorisations alive and settles the rental when a fine is paid. The
 * rentals module implements it and registers here at start-up (payments cannot import
 * rentals). Payments calls it inside the transaction that records the change, right
 * after the booking outcome, so a job the implementation enqueues exists if and only if
 * the change committed. Every call must be idempotent (an event may be applied twice).
 */
export abstract class AuthorizationSchedule {
  /** A card was set up for a scheduled booking (now confirmed): plan its off-session authorisation. */
  abstract cardSetUp(reservationId: string): Promise<void>;
  /** A manual-capture booking or renewal payment is now authorised: plan its renewal from its `capture_before`. */
  abstract authorized(reservationId: string, paymentId: string): Promise<void>;
  /** A fine charge went through (a retry, or the customer paid it in the app): settle the rental again. */
  abstract finePaid(reservationId: string, paymentId: string): Promise<void>;
}

/**
 * The port as payments injects it: forwards to the registered implementation, and does
 * nothing when none is registered (an app without the rentals module has no schedule).
 */
@Injectable()
export class AuthorizationSchedulePort extends AuthorizationSchedule {
  private implementation: AuthorizationSchedule | null = null;

  register(implementation: AuthorizationSchedule): void {
    this.implementation = implementation;
  }

  async cardSetUp(reservationId: string): Promise<void> {
    await this.implementation?.cardSetUp(reservationId);
  }

  async authorized(reservationId: string, paymentId: string): Promise<void> {
    await this.implementation?.authorized(reservationId, paymentId);
  }

  async finePaid(reservationId: string, paymentId: string): Promise<void> {
    await this.implementation?.finePaid(reservationId, paymentId);
  }
}
