import { describe, expect, it } from '@jest/globals';
import type { PaymentStatus } from './payment.entity';
import { paymentStatusOf, type PaymentSummary, type RefundSummary } from './payment-status';

let n = 0;
const attempt = (status: PaymentStatus, over: Partial<PaymentSummary> = {}): PaymentSummary => ({
  paymentId: `p${++n}`,
  status,
  amount: 10000,
  currency: 'EUR',
  captured: status === 'succeeded' ? 10000 : 0,
  refunded: 0,
  intentId: `pi_${n}`,
  failureCode: null,
  purpose: 'booking',
  createdAt: new Date(),
  ...over,
});
const refund = (paymentId: string, source = 'admin'): RefundSummary => ({
  refundId: `r${++n}`,
  paymentId,
  amount: 10000,
  status: 'succeeded',
  reason: null,
  source,
  createdAt: new Date(),
});

describe('paymentStatusOf (DESIGN.md section 4)', () => {
  it.each<[string, PaymentSummary[], string]>([
    ['no payment', [], 'none'],
    ['waiting for a card', [attempt('requires_payment_method')], 'none'],
    ['being created', [attempt('creating')], 'none'],
    ['processing', [attempt('processing')], 'none'],
    ['3-D Secure', [attempt('requires_action')], 'requires_action'],
    ['authorised', [attempt('requires_capture')], 'authorized'],
    ['paid', [attempt('succeeded')], 'paid'],
    ['partly refunded', [attempt('succeeded', { refunded: 2500 })], 'partially_refunded'],
    ['fully refunded', [attempt('succeeded', { refunded: 10000 })], 'refunded'],
    ['declined', [attempt('requires_payment_method', { failureCode: 'card_declined' })], 'failed'],
    ['failed', [attempt('failed', { failureCode: 'abandoned' })], 'failed'],
    ['authorisation released', [attempt('canceled')], 'none'],
    ['a retry after a decline: the newest attempt decides', [attempt('requires_action'), attempt('canceled')], 'requires_action'],
    [
      'a decline after a success cannot hide the money',
      [attempt('requires_payment_method', { failureCode: 'x' }), attempt('succeeded')],
      'paid',
    ],
  ])('%s', (_name, payments, expected) => {
    expect(paymentStatusOf(payments, [])).toBe(expected);
  });

  it('a second payment refunded as a duplicate does not make the booking read as refunded', () => {
    const duplicate = attempt('succeeded', { refunded: 10000 });
    const original = attempt('succeeded');
    expect(paymentStatusOf([duplicate, original], [refund(duplicate.paymentId, 'duplicate')])).toBe('paid');
    expect(paymentStatusOf([duplicate], [refund(duplicate.paymentId, 'duplicate')])).toBe('refunded');
  });

  it("a rental's fine charges, paid or failed, never change the booking's payment status", () => {
    const booking = attempt('succeeded');
    const failedFine = attempt('requires_payment_method', { purpose: 'fine', failureCode: 'card_declined' });
    const paidFine = attempt('succeeded', { purpose: 'fine' });
    expect(paymentStatusOf([failedFine, booking], [])).toBe('paid');
    expect(paymentStatusOf([paidFine, booking], [refund(paidFine.paymentId, 'admin')])).toBe('paid');
    expect(paymentStatusOf([failedFine], [])).toBe('none');
  });
});
