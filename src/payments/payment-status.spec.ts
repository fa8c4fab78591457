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
  offSession: false,
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

  describe('a vehicle booked ahead: card set up, authorisation scheduled (DESIGN.md section 12)', () => {
    const offSession = (status: PaymentStatus, over: Partial<PaymentSummary> = {}) =>
      attempt(status, { offSession: true, ...over });

    it.each<[string, PaymentSummary[], string]>([
      ['card set up, nothing authorised yet', [], 'scheduled'],
      ['the off-session authorisation on its way', [offSession('creating')], 'scheduled'],
      ['authorised off-session', [offSession('requires_capture')], 'authorized'],
      [
        'declined off-session: the customer completes it in the app',
        [offSession('requires_payment_method', { failureCode: 'authentication_required' })],
        'requires_action',
      ],
      ['the customer answering 3-D Secure for it', [offSession('requires_action')], 'requires_action'],
      ['its intent cancelled (the booking was cancelled unresolved)', [offSession('canceled')], 'none'],
      [
        'renewed: the new authorisation decides, the old one released',
        [offSession('requires_capture', { purpose: 'renewal' }), offSession('canceled')],
        'authorized',
      ],
      [
        'a renewal declined off-session while the old authorisation holds',
        [
          offSession('requires_payment_method', { purpose: 'renewal', failureCode: 'card_declined' }),
          attempt('requires_capture'),
        ],
        'authorized',
      ],
    ])('%s', (_name, payments, expected) => {
      expect(paymentStatusOf(payments, [], true)).toBe(expected);
    });

    it('an on-session decline stays `failed`; without a card set up, nothing is `scheduled`', () => {
      expect(paymentStatusOf([attempt('requires_payment_method', { failureCode: 'card_declined' })], [], true)).toBe('failed');
      expect(paymentStatusOf([], [], false)).toBe('none');
      expect(paymentStatusOf([offSession('creating')], [], false)).toBe('none');
    });
  });
});
