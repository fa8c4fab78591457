import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PaymentGatewayError } from '../src/payments/payment-gateway';
import { RefundsService } from '../src/payments/refunds.service';
import { FINE_RETRY_SECONDS } from '../src/rentals/rental-settlement.job';
import { checkPaymentInvariants } from './support/payment-invariants';
import { type Policy, RentalDriver } from './support/rental-driver';
import { checkRentalInvariants } from './support/rental-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const POLICY: Policy = {
  pickupTime: '10:00',
  returnTime: '10:00',
  timeZone: 'Europe/Paris',
  deposit: 10_000,
  cancellationFee: 5_000,
  freeCancellationHours: 48,
  lateFeePerHour: 1_500,
  refuelFeePerPercent: 50,
  kmAllowancePerDay: 200,
  feePerExtraKm: 30,
};
const PRICE = 2 * 12_000;
const PICKUP = { odometerKm: 40_000, energyLevelPercent: 80 };

/**
 * A fine charge that fails (DESIGN.md section 12, issue 14 item 6): it leaves `status` and
 * `rentalStatus` alone, emails the customer a way to pay in the app, opens a support case,
 * is retried three times a day apart (jobs), and is owed until a retry goes through or an
 * admin waives it. One email, one case and one chain of retries per failure, however many
 * settlement passes meet it; two passes at once take a fine once.
 */
describe('a failed fine charge: owed, retried three times over 72 h, then paid or waived', () => {
  let t: TestApp;
  let d: RentalDriver;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    d = new RentalDriver(t);
  });

  afterAll(async () => {
    try {
      expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
      const owed = async (id: string) => (await d.rental(id)).money.owed as number;
      expect(await checkRentalInvariants(t.dataSource, { owed })).toEqual([]);
    } finally {
      await t.close();
    }
  });

  /** A two-day rental of its own vehicle, booked, unlocked and returned on time having driven `km`. */
  async function rented(km: number, options: { incremental?: boolean; card?: string; declines?: number } = {}) {
    const sub = `fine-renter-${++n}`;
    const { offeringId, fleetVehicleId } = await d.vehicle(12_000, POLICY);
    if (options.incremental === false) d.gateway().setAuthorizationSupport({ incremental: false });
    const booked = await d
      .book(sub, offeringId, 1, 2, options.card ?? '4242424242424242')
      .finally(() => d.gateway().setAuthorizationSupport({ incremental: true }));
    if (options.declines) d.gateway().declineOffSession(booked.paymentMethodId, options.declines);
    await d.unlock(sub, booked.id, fleetVehicleId, PICKUP);
    const back = { odometerKm: PICKUP.odometerKm + km, energyLevelPercent: 80 };
    await d.returnVehicle(sub, booked.id, fleetVehicleId, 0, back, back);
    return { sub, ...booked };
  }

  const emails = async (sub: string, id: string, template: string) =>
    (
      (await t.http.get('/v1/dev/emails').query({ reservationId: id }).set(d.auth(sub)).expect(200)).body.emails as {
        template: string;
        text: string;
      }[]
    ).filter((e) => e.template === template);
  const cases = async (id: string) =>
    (
      (await t.http.get('/v1/admin/support-cases').query({ kind: 'rental_fine_unpaid', limit: 100 }).set(d.admin()).expect(200))
        .body.cases as { reservationId: string; status: string; details: Record<string, unknown> }[]
    ).filter((c) => c.reservationId === id);
  const fineCharges = async (id: string) =>
    (await t.dataSource.query(
      `SELECT status, amount_cents AS amount, captured_cents AS captured FROM payments
        WHERE reservation_id = $1 AND purpose = 'fine' ORDER BY created_at`,
      [id],
    )) as { status: string; amount: number; captured: number }[];
  /** Makes the queued retry due now and waits for pg-boss to run it: the real job, 24 h early. */
  const runQueuedRetry = async (id: string): Promise<number> => {
    const [job] = (await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created');
    t.clock.advance(24 * 3_600_000);
    await t.dataSource.query(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [job.id]);
    await waitFor(
      `fine retry ${job.attempt} of ${id}`,
      async () => (await d.jobs('rentals-fine-retry', id)).find((j) => j.id === job.id)!.state === 'completed',
      20_000,
    );
    await d.gateway().flushEvents();
    return job.attempt!;
  };

  it('above the authorisation at return: declined, owed, the rental left returned; a later retry pays it', async () => {
    // 1,000 km over 2 x 200: 600 km x 30 = 18,000 of fines; the hold (24,000 + 10,000) cannot be raised.
    const { sub, id } = await rented(1_000, { incremental: false, declines: 2 });
    await d.drain(id);

    const view = await d.rental(id);
    expect(view.rentalStatus).toBe('returned');
    expect(view.money).toMatchObject({ due: PRICE + 18_000, captured: PRICE + 10_000, charged: 0, authorised: 0, owed: 8_000 });
    const booking = (await t.http.get(`/v1/reservations/${id}`).set(d.auth(sub)).expect(200)).body;
    expect(booking).toMatchObject({ status: 'confirmed', paymentStatus: 'paid' });
    const charges = await fineCharges(id);
    expect(charges.every((c) => c.status !== 'succeeded')).toBe(true);

    await waitFor('the payment failed email', async () => (await emails(sub, id, 'rental_payment_failed')).length > 0);
    const [email] = await emails(sub, id, 'rental_payment_failed');
    expect(email.text).toMatch(/pay what you owe in the app/i);
    expect(email.text).toMatch(/80[.,]00/);
    const [opened] = await cases(id);
    expect(opened).toMatchObject({ status: 'open', details: { amount: 8_000, currency: 'EUR' } });

    const queued = (await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created');
    expect(queued).toHaveLength(1);
    expect(queued[0].attempt).toBe(2);
    const delay = (queued[0].startAfter.getTime() - queued[0].createdOn.getTime()) / 1000;
    expect(Math.abs(delay - FINE_RETRY_SECONDS)).toBeLessThan(5);

    expect(await runQueuedRetry(id)).toBe(2); // declined again: still owed, one more retry queued
    expect((await d.rental(id)).money.owed).toBe(8_000);
    expect((await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created').map((j) => j.attempt)).toEqual([3]);
    expect(await runQueuedRetry(id)).toBe(3); // the funds are back: paid

    const paid = await d.rental(id);
    expect(paid.rentalStatus).toBe('completed');
    expect(paid.money).toMatchObject({ due: PRICE + 18_000, captured: PRICE + 10_000, charged: 8_000, owed: 0 });
    expect((await t.http.get(`/v1/reservations/${id}`).set(d.auth(sub)).expect(200)).body.status).toBe('completed');
    expect((await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created')).toEqual([]);
    expect(await emails(sub, id, 'rental_payment_failed')).toHaveLength(1);
    expect(await cases(id)).toHaveLength(1);
    expect(await checkRentalInvariants(t.dataSource)).toEqual([]);
  });

  it('paid in the app with another card: the rental settles at once, and the queued retry charges nothing', async () => {
    // Declined off-session at return (and the retries would be too): the customer pays in the app instead.
    const { sub, id } = await rented(1_000, { incremental: false, declines: 5 });
    await d.drain(id);
    const asRenter = async () => (await t.http.get(`/v1/rentals/${id}`).set(d.auth(sub)).expect(200)).body;
    const owed = await asRenter();
    expect(owed).toMatchObject({ rentalStatus: 'returned', money: { owed: 8_000 } });
    const [declined] = (await t.dataSource.query(
      `SELECT provider_intent_id AS "intentId" FROM payments
        WHERE reservation_id = $1 AND purpose = 'fine' AND status = 'requires_payment_method'`,
      [id],
    )) as { intentId: string }[];
    expect(owed.payOwed).toEqual({
      paymentIntentId: declined.intentId,
      clientSecret: expect.stringContaining('_secret_'),
      clientSecretType: 'payment_intent',
      amount: 8_000,
      currency: 'EUR',
      stripeStatus: 'requires_payment_method',
    });
    // The secret lets whoever holds it pay: an admin sees null, another customer neither the rental nor its intent.
    expect((await d.rental(id)).payOwed).toBeNull();
    await t.http.get(`/v1/rentals/${id}`).set(d.auth('fine-stranger')).expect(404);
    await t.http
      .post(`/v1/dev/payments/${declined.intentId}/confirm`)
      .set(d.auth('fine-stranger'))
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(404);

    // The app confirms the intent with another card (Stripe.js would); the provider's event settles the rental.
    const confirmed = await t.http
      .post(`/v1/dev/payments/${owed.payOwed.paymentIntentId}/confirm`)
      .set(d.auth(sub))
      .send({ paymentMethod: 'pm_card_mastercard' })
      .expect(200);
    expect(confirmed.body.status).toBe('succeeded');
    await d.gateway().flushEvents();
    await waitFor(
      'the rental settled after the payment in the app',
      async () => (await d.rental(id)).rentalStatus === 'completed',
    );
    await d.drain(id);
    expect(await asRenter()).toMatchObject({ rentalStatus: 'completed', payOwed: null, money: { charged: 8_000, owed: 0 } });
    expect(await d.reservationStatus(id)).toBe('completed');

    // The retry queued at the decline finds nothing owed a day later: no second charge.
    expect(await runQueuedRetry(id)).toBe(2);
    expect(await fineCharges(id)).toEqual([{ status: 'succeeded', amount: 8_000, captured: 8_000 }]);
    expect((await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created')).toEqual([]);
    expect(await checkRentalInvariants(t.dataSource)).toEqual([]);
  });

  it('raised after completion on a card that never pays off-session: three retries, then owed until waived', async () => {
    // Stripe's always-authenticate card: fine in the app, every off-session charge fails.
    const { sub, id } = await rented(100, { card: '4000002760003184' });
    await d.drain(id);
    expect((await d.rental(id)).rentalStatus).toBe('completed');

    await d.setFine(id, 'damage', 4_500);
    await d.drain(id);
    let view = await d.rental(id);
    expect(view).toMatchObject({ rentalStatus: 'completed', money: { due: PRICE + 4_500, charged: 0, owed: 4_500 } });
    expect(await d.reservationStatus(id)).toBe('completed');
    expect(await cases(id)).toHaveLength(1);

    expect(await d.runRetry(id)).toBe(2);
    // An admin adds a fine while the charge is owed: that pass fails too, yet starts no
    // second chain of retries, sends no second email and opens no second case.
    await d.setFine(id, 'cleaning', 1_000);
    await d.drain(id);
    expect((await d.rental(id)).money.owed).toBe(5_500);
    expect((await d.jobs('rentals-fine-retry', id)).filter((j) => j.state === 'created').map((j) => j.attempt)).toEqual([3]);
    expect(await d.runRetry(id)).toBe(3);
    expect(await d.runRetry(id)).toBe(4);
    expect(await d.runRetry(id)).toBeNull(); // three retries at most
    await waitFor('the payment failed email', async () => (await emails(sub, id, 'rental_payment_failed')).length > 0);
    expect(await emails(sub, id, 'rental_payment_failed')).toHaveLength(1);
    expect(await cases(id)).toHaveLength(1);
    view = await d.rental(id);
    expect(view).toMatchObject({ rentalStatus: 'completed', money: { owed: 5_500, charged: 0 } });
    expect((await fineCharges(id)).every((c) => c.status !== 'succeeded')).toBe(true);

    // Waived: nothing owed any more, and no charge left that the customer could still pay.
    await d.setFine(id, 'damage', 0);
    await d.setFine(id, 'cleaning', 0);
    await d.drain(id);
    view = await d.rental(id);
    expect(view).toMatchObject({ rentalStatus: 'completed', money: { due: PRICE, captured: PRICE, charged: 0, owed: 0 } });
    expect((await fineCharges(id)).map((c) => c.status)).not.toContain('requires_payment_method');
    expect(await checkRentalInvariants(t.dataSource)).toEqual([]);
  });

  it('a lowered fine whose refund the provider did not answer is refunded once, not again by the next pass', async () => {
    // 95 minutes late: a late fee of 3,000, captured with the price from the authorisation.
    const sub = `fine-renter-${++n}`;
    const { offeringId, fleetVehicleId } = await d.vehicle(12_000, POLICY);
    const { id } = await d.book(sub, offeringId, 1, 2, '4242424242424242');
    await d.unlock(sub, id, fleetVehicleId, PICKUP);
    const back = { odometerKm: PICKUP.odometerKm + 100, energyLevelPercent: 80 };
    await d.returnVehicle(sub, id, fleetVehicleId, 95, back, back);
    await d.drain(id);
    expect((await d.rental(id)).money).toMatchObject({ due: PRICE + 3_000, captured: PRICE + 3_000, owed: 0 });

    // The provider times out on the refund of the lowered fine: it stays pending.
    const gateway = d.gateway();
    const createRefund = gateway.createRefund.bind(gateway);
    gateway.createRefund = () => Promise.reject(new PaymentGatewayError('processing', 'timed out (simulated outage)'));
    try {
      await d.setFine(id, 'late', 1_500);
      await d.drain(id);
    } finally {
      gateway.createRefund = createRefund;
    }
    // The next pass (another fine set) must count the pending refund as given back.
    await d.setFine(id, 'cleaning', 500);
    await d.drain(id);
    await t.app.get(RefundsService).flushPending();
    await d.gateway().flushEvents();
    const money = (await d.rental(id)).money;
    expect(money).toMatchObject({ due: PRICE + 1_500 + 500, owed: 0 });
    expect(money.captured + money.charged - money.refunded).toBe(PRICE + 1_500 + 500);
    expect(await checkRentalInvariants(t.dataSource)).toEqual([]);
  });

  it('two settlement passes at once take a raised fine once', async () => {
    const { id } = await rented(100);
    await d.drain(id);
    await t.dataSource.query(
      `INSERT INTO rental_fines (reservation_id, kind, amount_cents, assessed_cents, reason, set_by)
       VALUES ($1, 'damage', 2500, 2500, 'dent', 'ops')`,
      [id],
    );
    // As a fine set by an admin and a retry job running at the same moment (two queues, or two replicas).
    await Promise.all([d.settlement().settle(id), d.settlement().settle(id), d.settlement().settle(id)]);
    await d.gateway().flushEvents();
    expect(await fineCharges(id)).toEqual([{ status: 'succeeded', amount: 2_500, captured: 2_500 }]);
    expect((await d.rental(id)).money).toMatchObject({ due: PRICE + 2_500, charged: 2_500, owed: 0 });
  });
});
