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
 * DESIGN.md section 4's `paymentStatus`, from a reservation's attempts (newest first):
 * no attempt -> `none`. The attempt that decides is the newest one that took money
 * (succeeded or authorised; one refunded only as a duplicate of another counts only when
 * no other took money), else the newest attempt. It reads: requires_action ->
 * `requires_action`; requires_capture -> `authorized`; succeeded -> `paid` (nothing
 * refunded), `partially_refunded` (0 < refunded < captured) or `refunded` (refunded >=
 * captured > 0); failed, or declined (a failure code, waiting for another card) ->
 * `failed`; anything still open or cancelled without taking money -> `none`.
 * (`scheduled` belongs to vehicle rentals, which do not exist yet.)
 */
export function paymentStatusOf(all: PaymentSummary[], refunds: RefundSummary[]): ReservationPaymentStatus {
  // Fines are money owed on a rental beside its booking, never its payment status.
  const payments = all.filter((p) => p.purpose !== 'fine');
  if (payments.length === 0) return 'none';
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
      return deciding.failureCode ? 'failed' : 'none';
    default:
      return 'none';
  }
}
