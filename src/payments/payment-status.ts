import { PAYMENT_STATUSES, type PaymentPurpose, type PaymentStatus } from './payment.entity';

export type { PaymentPurpose };

/** An attempt's own statuses, for other modules' views (they may not import the entity). */
export const PAYMENT_ATTEMPT_STATUSES: readonly PaymentStatus[] = PAYMENT_STATUSES;

/** A reservation's `paymentStatus` (DESIGN.md section 4), beside its `status`, never instead of it. */
export const RESERVATION_PAYMENT_STATUSES = [
  'none',
  'requires_action',
  'authorized',
  'scheduled',
  'paid',
  'partially_refunded',
  'refunded',
  'failed',
] as const;
export type ReservationPaymentStatus = (typeof RESERVATION_PAYMENT_STATUSES)[number];

/** One payment attempt of a reservation, as reservation views show it. */
export interface PaymentSummary {
  paymentId: string;
  /** Our attempt status (a PaymentIntent's, plus `creating` and `failed`). */
  status: PaymentStatus;
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  intentId: string | null;
  failureCode: string | null;
  purpose: PaymentPurpose;
  /** Made while the customer was away (a scheduled or renewed authorisation, a fine). */
  offSession: boolean;
  createdAt: Date;
}

export interface RefundSummary {
  refundId: string;
  paymentId: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  /** admin | cancellation | hold_expired | duplicate | provider */
  source: string;
  createdAt: Date;
}

/** A reservation's money: its attempts (newest first), their refunds (oldest first) and the status they add up to. */
export interface ReservationPayments {
  paymentStatus: ReservationPaymentStatus;
  payments: PaymentSummary[];
  refunds: RefundSummary[];
}

const TOOK_MONEY: PaymentStatus[] = ['succeeded', 'requires_capture'];

/**
 * DESIGN.md section 4's `paymentStatus`, from a reservation's attempts (newest first) and
 * whether a card is set up for a scheduled authorisation (a vehicle booked further ahead
 * than the lead days): no attempt -> `scheduled` with such a card, else `none`. The
 * attempt that decides is the newest one that took money (succeeded or authorised; one
 * refunded only as a duplicate of another counts only when no other took money), else
 * the newest attempt. It reads: requires_action -> `requires_action`; requires_capture ->
 * `authorized`; succeeded -> `paid` (nothing refunded), `partially_refunded` (0 <
 * refunded < captured) or `refunded` (refunded >= captured > 0); an off-session attempt
 * declined (its intent waits in requires_payment_method for the customer to complete it
 * in the app) -> `requires_action`; failed, or declined on-session (a failure code,
 * waiting for another card) -> `failed`; cancelled without taking money -> `none`;
 * anything still open -> `scheduled` with a card set up (the authorisation is on its
 * way), else `none`. Fines never count.
 */
export function paymentStatusOf(all: PaymentSummary[], refunds: RefundSummary[], cardSetUp = false): ReservationPaymentStatus {
  // Fines are money owed on a rental beside its booking, never its payment status.
  const payments = all.filter((p) => p.purpose !== 'fine');
  if (payments.length === 0) return cardSetUp ? 'scheduled' : 'none';
  const duplicates = new Set(refunds.filter((r) => r.source === 'duplicate').map((r) => r.paymentId));
  const paid = payments.filter((p) => TOOK_MONEY.includes(p.status));
  const deciding = paid.find((p) => !duplicates.has(p.paymentId)) ?? paid[0] ?? payments[0];
  switch (deciding.status) {
    case 'requires_action':
      return 'requires_action';
    case 'requires_capture':
      return 'authorized';
    case 'succeeded':
      if (deciding.captured > 0 && deciding.refunded >= deciding.captured) return 'refunded';
      return deciding.refunded > 0 ? 'partially_refunded' : 'paid';
    case 'failed':
      return 'failed';
    case 'requires_payment_method':
      if (deciding.failureCode && deciding.offSession) return 'requires_action';
      if (deciding.failureCode) return 'failed';
      return cardSetUp ? 'scheduled' : 'none';
    case 'canceled':
      return 'none';
    default:
      return cardSetUp ? 'scheduled' : 'none';
  }
}
