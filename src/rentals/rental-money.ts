import type { PaymentView } from '../payments/payments.service';
import type { RentalFine } from './rentals.types';

/** A rental's money, as `GET /v1/rentals/{id}` shows it (minor units of `currency`). */
export interface RentalMoney {
  currency: string;
  /** The agreed rental price and the deposit held on top of it. */
  price: number;
  deposit: number;
  /** Price plus the fines owed now. */
  due: number;
  /** Held on the card and not yet captured. */
  authorised: number;
  /** Taken from the booking's authorisation(s). */
  captured: number;
  /** Taken by separate charges (fines above the authorisation, or raised after capture). */
  charged: number;
  refunded: number;
  /** Due, not taken and not covered by an open authorisation (a fine charge that failed, or one still to be made). */
  owed: number;
}

/**
 * Adds up a rental's payments: the booking and renewal authorisations, the fine charges
 * and the refunds. `owed` is what is due beyond what was taken and what an open
 * authorisation still covers, never negative. A booking called off before pickup
 * (`void`: cancelled or refunded) owes no price: what it kept (the cancellation fee
 * captured from the authorisation, or nothing) is all that was due, and nothing is owed.
 */
export function rentalMoney(
  terms: { currency: string; priceCents: number; depositCents: number },
  fines: RentalFine[],
  payments: PaymentView[],
  options: { void?: boolean } = {},
): RentalMoney {
  const booking = payments.filter((p) => p.purpose !== 'fine');
  const charges = payments.filter((p) => p.purpose === 'fine');
  const authorised = booking.filter((p) => p.status === 'requires_capture').reduce((sum, p) => sum + p.amount, 0);
  const captured = booking.reduce((sum, p) => sum + p.captured, 0);
  const charged = charges.reduce((sum, p) => sum + p.captured, 0);
  const refunded = payments.reduce((sum, p) => sum + p.refunded, 0);
  const due = options.void ? captured + charged - refunded : terms.priceCents + fines.reduce((sum, f) => sum + f.amountCents, 0);
  return {
    currency: terms.currency,
    price: terms.priceCents,
    deposit: terms.depositCents,
    due,
    authorised,
    captured,
    charged,
    refunded,
    // What an open authorisation holds will be captured: not owed.
    owed: Math.max(0, due - (captured + charged - refunded) - authorised),
  };
}
