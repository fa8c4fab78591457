import { describe, expect, it } from '@jest/globals';
import type { PaymentView } from '../payments/payments.service';
import { payableCharge, rentalMoney } from './rental-money';
import type { RentalFine } from './rentals.types';

const terms = { currency: 'EUR', priceCents: 24_000, depositCents: 30_000 };
const payment = (p: Partial<PaymentView>): PaymentView =>
  ({ purpose: 'booking', status: 'succeeded', amount: 54_000, captured: 0, refunded: 0, ...p }) as PaymentView;
const fine = (kind: RentalFine['kind'], amountCents: number): RentalFine =>
  ({ kind, amountCents, assessedCents: amountCents, reason: 'r', setBy: 'automatic', updatedAt: new Date(0) }) as RentalFine;

describe('rentalMoney (GET /v1/rentals/{id} money)', () => {
  it('settled: captured + charged - refunded = price + fines, nothing owed', () => {
    const m = rentalMoney(
      terms,
      [fine('late', 3_000), fine('damage', 1_500)],
      [payment({ captured: 27_000 }), payment({ purpose: 'fine', amount: 4_500, captured: 4_500, refunded: 3_000 })],
    );
    expect(m).toMatchObject({ due: 28_500, captured: 27_000, charged: 4_500, refunded: 3_000, owed: 0 });
  });

  it('a fine charge that failed is owed; an open authorisation is not', () => {
    const failed = payment({ purpose: 'fine', status: 'requires_payment_method', amount: 2_000 });
    expect(rentalMoney(terms, [fine('late', 2_000)], [payment({ captured: 24_000 }), failed]).owed).toBe(2_000);
    expect(rentalMoney(terms, [fine('late', 2_000)], [payment({ status: 'requires_capture' })]).owed).toBe(0);
  });

  it('a booking cancelled before pickup owes no price: the fee it kept, or nothing, is all that was due', () => {
    const withFee = rentalMoney(terms, [], [payment({ captured: 5_000 })], { void: true });
    expect(withFee).toMatchObject({ due: 5_000, captured: 5_000, authorised: 0, owed: 0 });
    const free = rentalMoney(terms, [], [payment({ status: 'canceled' })], { void: true });
    expect(free).toMatchObject({ due: 0, captured: 0, owed: 0 });
  });
});

describe('payableCharge (GET /v1/rentals/{id} payOwed)', () => {
  const declined = (p: Partial<PaymentView> = {}) =>
    payment({
      purpose: 'fine',
      status: 'requires_payment_method',
      amount: 8_000,
      currency: 'EUR',
      intentId: 'pi_fine_1',
      clientSecret: 'pi_fine_1_secret_x',
      ...p,
    });

  it('the declined fine charge for exactly what is owed, with its client secret', () => {
    expect(payableCharge([payment({ captured: 34_000 }), declined()], 8_000)).toEqual({
      paymentIntentId: 'pi_fine_1',
      clientSecret: 'pi_fine_1_secret_x',
      amount: 8_000,
      currency: 'EUR',
      stripeStatus: 'requires_payment_method',
    });
    expect(payableCharge([declined({ status: 'requires_action' })], 8_000)?.stripeStatus).toBe('requires_action');
  });

  it('the newest one when an older one is still open', () => {
    const older = declined({ intentId: 'pi_old', clientSecret: 'pi_old_secret' });
    expect(payableCharge([older, declined()], 8_000)?.paymentIntentId).toBe('pi_fine_1');
  });

  it('none when nothing is owed, the charge is for another amount, paid, withdrawn, or has no intent yet', () => {
    expect(payableCharge([declined()], 0)).toBeNull();
    expect(payableCharge([declined()], 5_500)).toBeNull(); // a fine changed; the next pass replaces the charge
    expect(payableCharge([declined({ status: 'succeeded', captured: 8_000 })], 8_000)).toBeNull();
    expect(payableCharge([declined({ status: 'canceled' })], 8_000)).toBeNull();
    expect(payableCharge([declined({ intentId: null, clientSecret: null })], 8_000)).toBeNull();
    expect(
      payableCharge([payment({ status: 'requires_payment_method', amount: 8_000, clientSecret: 's', intentId: 'pi' })], 8_000),
    ).toBeNull();
  });
});
