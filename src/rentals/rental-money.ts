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

/** An owed fine charge the customer can pay in the app (`GET /v1/rentals/{id}` `payOwed`). */
export interface PayableCharge {
  paymentIntentId: string;
  clientSecret: string;
  amount: number;
  currency: string;
  /** The PaymentIntent's status: `requires_payment_method` (declined) or `requires_action` (3-D Secure). */
  stripeStatus: 'requires_payment_method' | 'requires_action';
}

/** Fine charge statuses the customer can still complete with their own card, on-session. */
const PAYABLE = ['requires_payment_method', 'requires_action'];

/**
 * The fine charge the app can let the customer pay (DESIGN.md section 12: a declined fine
 * "emails the customer a way to pay in the app"): the newest fine charge still waiting for
 * a card, when it is for exactly what is `owed`. Anything else (nothing owed, no charge made
 * yet, or a charge for another amount because a fine changed and the next settlement pass
 * has yet to replace it) gives null, so the customer is never asked for more, or less,
 * than what is owed. The settlement withdraws a charge before it makes another, so at most
 * one can be paid at a time.
 */
export function payableCharge(payments: PaymentView[], owed: number): PayableCharge | null {
  if (owed <= 0) return null;
  const charge = payments.filter((p) => p.purpose === 'fine' && PAYABLE.includes(p.status)).at(-1);
  if (!charge?.intentId || !charge.clientSecret || charge.amount !== owed) return null;
  return {
    paymentIntentId: charge.intentId,
    clientSecret: charge.clientSecret,
    amount: charge.amount,
    currency: charge.currency,
    stripeStatus: charge.status as PayableCharge['stripeStatus'],
  };
}
