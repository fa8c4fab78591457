import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { createOffering, createSlot, createStock } from './factories/inventory.factory';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const ADDRESS = {
  name: 'Ann Example',
  line1: '10 Downing Street',
  city: 'London',
  postalCode: 'SW1A 2AA',
  country: 'GB',
};

interface Rate {
  rateId: string;
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  estimatedDays: number;
}

/**
 * Goods checkout (DESIGN.md section 11) over HTTP, with the simulated carriers, tax and
 * payment provider of `npm start`: rates, the chosen rate with its tax in the total,
 * SHIPPING_REQUIRED, the charge equal to the total, the shipment and its email.
 */
describe('goods checkout: shipping and tax', () => {
  let t: TestApp;
  let productId: string;
  let experienceId: string;
  let slotId: string;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });
  const admin = () => ({ Authorization: `Bearer ${t.token('ada', ['admin'])}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const holdCarrier = async (quantity = 2) =>
    (
      await t.http
        .post('/v1/reservations/hold')
        .set(alice())
        .set('X-Idempotency-Key', randomUUID())
        .send({
          items: [{ offeringId: productId, sku: 'CARRIER-M', quantity }],
          guestName: 'Ann Example',
          guestEmail: 'ann@example.com',
        })
        .expect(200)
    ).body.reservation.id as string;
  const rates = (id: string, address: object = ADDRESS) =>
    t.http.post(`/v1/reservations/${id}/shipping-rates`).set(alice()).send({ address });
  const choose = (id: string, rateId: string, address: object = ADDRESS) =>
    t.http.put(`/v1/reservations/${id}/shipping`).set(alice()).send({ address, rateId });
  const convert = (id: string) =>
    t.http.post('/v1/reservations/hold/convert').set(alice()).set('X-Idempotency-Key', randomUUID()).send({ holdId: id });
  const reservation = async (id: string) => (await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body;
  const cheapest = async (id: string): Promise<Rate> => (await rates(id).expect(200)).body.rates[0];
  const checkout = async (quantity = 2) => {
    const id = await holdCarrier(quantity);
    await choose(id, (await cheapest(id)).rateId).expect(200);
    const pi = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
    await t.http.post(`/v1/dev/payments/${pi}/confirm`).set(alice()).send({ paymentMethod: 'pm_card_visa' }).expect(200);
    await settle();
    expect((await reservation(id)).status).toBe('confirmed');
    return id;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated', SHIPPING_SIMULATED_LATENCY_MS: '0' } });
    const product = await createOffering(t.dataSource, {
      kind: 'product',
      title: 'Cat travel carrier',
      basePriceCents: 3900,
      weightGrams: 1200,
      refundableUntilHours: 0,
    });
    productId = product.id;
    await createStock(t.dataSource, productId, 'CARRIER-M', 500);
    const experience = await createOffering(t.dataSource, { kind: 'experience' });
    experienceId = experience.id;
    slotId = (await createSlot(t.dataSource, experience.id, { capacity: 50 })).id;
  });
  afterAll(async () => {
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t.close();
  });

  it('quotes every carrier for the parcel, cheapest first, in the reservation currency', async () => {
    const id = await holdCarrier();
    const res = await rates(id).expect(200);
    expect(res.body.fallback).toBe(false);
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const list = res.body.rates as Rate[];
    expect(new Set(list.map((r) => r.carrier))).toEqual(new Set(['fedex', 'ups', 'usps']));
    expect(list.map((r) => r.amount)).toEqual([...list.map((r) => r.amount)].sort((a, b) => a - b));
    for (const rate of list)
      expect(rate).toMatchObject({ currency: 'EUR', amount: expect.any(Number), rateId: expect.any(String) });
    // A heavier parcel (more units) costs more to ship with the same carrier and service.
    const heavier = await holdCarrier(10);
    const heavy = (await rates(heavier).expect(200)).body.rates as Rate[];
    const same = (r: Rate) => heavy.find((h) => h.carrier === r.carrier && h.service === r.service)!;
    for (const rate of list) expect(same(rate).amount).toBeGreaterThan(rate.amount);
  });

  it('refuses to convert goods before a rate is chosen: 400 SHIPPING_REQUIRED', async () => {
    const id = await holdCarrier();
    const res = await convert(id).expect(400);
    expect(res.body.error).toBe('SHIPPING_REQUIRED');
    expect((await reservation(id)).status).toBe('held');
  });

  it('puts the rate and its tax into the total, which convert charges exactly', async () => {
    const id = await holdCarrier(2);
    const rate = await cheapest(id);
    const chosen = (await choose(id, rate.rateId).expect(200)).body;
    const goods = 2 * 3900;
    // GB VAT (the simulated tax provider): 20 % of goods and shipping, rounded half up.
    const tax = Math.round((goods + rate.amount) * 0.2);
    expect(chosen.totals).toEqual({ subtotal: goods, discount: 0, shipping: rate.amount, tax, total: goods + rate.amount + tax });
    expect(chosen.totalPrice).toBe(chosen.totals.total);
    expect(chosen.taxEstimated).toBe(false);
    expect(chosen.shipping).toMatchObject({
      carrier: rate.carrier,
      service: rate.service,
      amount: rate.amount,
      address: expect.objectContaining({ postalCode: 'SW1A 2AA', country: 'GB' }),
      shippedAt: null,
    });
    await convert(id).expect(200);
    const pending = await reservation(id);
    expect(pending.payments).toHaveLength(1);
    expect(pending.payments[0].amount).toBe(chosen.totals.total);
    // Paid for: the shipping cannot change any more.
    expect((await rates(id).expect(409)).body.error).toBe('INVALID_HOLD_STATUS');
    const again = await choose(id, rate.rateId).expect(409);
    expect(again.body.error).toBe('INVALID_HOLD_STATUS');
  });

  it('choosing again replaces the rate and reprices the tax', async () => {
    const id = await holdCarrier(1);
    const list = (await rates(id).expect(200)).body.rates as Rate[];
    await choose(id, list[0].rateId).expect(200);
    const second = (await choose(id, list.at(-1)!.rateId).expect(200)).body;
    expect(second.totals.shipping).toBe(list.at(-1)!.amount);
    expect(second.totals.total).toBe(3900 + list.at(-1)!.amount + second.totals.tax);
  });

  it('refuses a rate quoted for another address, another reservation, or past its 15 minutes', async () => {
    const id = await holdCarrier(1);
    const rate = await cheapest(id);
    const elsewhere = { ...ADDRESS, postalCode: 'EC1A 1BB' };
    const moved = await choose(id, rate.rateId, elsewhere).expect(400);
    expect(moved.body.error).toBe('VALIDATION_FAILED');
    const other = await holdCarrier(1);
    expect((await choose(other, rate.rateId).expect(404)).body.error).toBe('NOT_FOUND');
    t.clock.advance(15 * 60_000 + 1000);
    try {
      expect((await choose(id, rate.rateId).expect(409)).body.error).toBe('SHIPPING_RATE_EXPIRED');
    } finally {
      t.clock.advance(-(15 * 60_000 + 1000));
    }
  });

  it('validates the address: country, postal code for the country, no NUL bytes', async () => {
    const id = await holdCarrier(1);
    for (const address of [
      { ...ADDRESS, country: 'XX' },
      { ...ADDRESS, postalCode: '12345' },
      { ...ADDRESS, line1: 'a\u0000b' },
      { ...ADDRESS, name: 'x'.repeat(101) },
    ]) {
      expect((await rates(id, address).expect(400)).body.error).toBe('VALIDATION_FAILED');
    }
  });

  it('says what needs no shipping: an experience-only hold has no rates', async () => {
    const hold = await t.http
      .post('/v1/reservations/hold')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: 1, guestName: 'Ann', guestEmail: 'ann@example.com' })
      .expect(200);
    const res = await rates(hold.body.reservation.id).expect(400);
    expect(res.body.error).toBe('VALIDATION_FAILED');
  });

  it('marks the tax estimated when the tax service is switched off (fallback rates)', async () => {
    const flag = (enabled: boolean) => t.http.put('/v1/admin/flags/tax.provider').set(admin()).send({ enabled }).expect(200);
    await flag(false);
    try {
      // An address no earlier test priced: nothing cached, so the fallback table answers.
      const manchester = { ...ADDRESS, line1: '1 Piccadilly', city: 'Manchester', postalCode: 'M1 1AE' };
      const id = await holdCarrier(1);
      const rate = (await rates(id, manchester).expect(200)).body.rates[0] as Rate;
      const chosen = (await choose(id, rate.rateId, manchester).expect(200)).body;
      expect(chosen.taxEstimated).toBe(true);
      expect(chosen.totals.total).toBe(chosen.totals.subtotal + chosen.totals.shipping + chosen.totals.tax);
    } finally {
      await flag(true);
    }
  });

  it('ships a confirmed order once, emails the tracking number, and keeps the shipping out of a later refund', async () => {
    const id = await checkout(1);
    const ship = (body: object) =>
      t.http.post(`/v1/admin/reservations/${id}/shipments`).set(admin()).set('X-Idempotency-Key', randomUUID()).send(body);
    const shipped = (await ship({ carrier: 'ups', trackingNumber: '1Z999AA10123456784' }).expect(200)).body;
    expect(shipped.shipping).toMatchObject({
      shipmentCarrier: 'ups',
      trackingNumber: '1Z999AA10123456784',
      shippedAt: expect.any(String),
    });
    await ship({ carrier: 'ups', trackingNumber: '1Z999AA10123456784' }).expect(200); // the same again: nothing new
    expect((await ship({ carrier: 'dhl', trackingNumber: 'JD0001' }).expect(409)).body.error).toBe('INVALID_HOLD_STATUS');
    const emails = async () =>
      (await t.http.get('/v1/dev/emails').query({ reservationId: id }).set(alice()).expect(200)).body.emails as {
        template: string;
        text: string;
      }[];
    await waitFor('the shipment email', async () => (await emails()).some((e) => e.template === 'order_shipped'));
    const shippedMails = (await emails()).filter((e) => e.template === 'order_shipped');
    expect(shippedMails).toHaveLength(1);
    expect(shippedMails[0].text).toContain('Tracking number: 1Z999AA10123456784');

    const before = await reservation(id);
    await t.http.post(`/v1/reservations/${id}/cancel`).set(alice()).set('X-Idempotency-Key', randomUUID()).expect(200);
    await settle();
    const after = await reservation(id);
    expect(after.refunds).toHaveLength(1);
    expect(after.refunds[0].amount).toBe(before.totals.total - before.totals.shipping);
  });

  it('refunds the shipping too when an order is cancelled before it ships', async () => {
    const id = await checkout(1);
    const before = await reservation(id);
    await t.http.post(`/v1/reservations/${id}/cancel`).set(alice()).set('X-Idempotency-Key', randomUUID()).expect(200);
    await settle();
    const after = await reservation(id);
    expect(after.refunds.map((r: { amount: number }) => r.amount)).toEqual([before.totals.total]);
  });

  it('refuses to ship what is not a confirmed order of goods', async () => {
    const held = await holdCarrier(1);
    const res = await t.http
      .post(`/v1/admin/reservations/${held}/shipments`)
      .set(admin())
      .set('X-Idempotency-Key', randomUUID())
      .send({ carrier: 'ups', trackingNumber: '1Z999AA1' })
      .expect(409);
    expect(res.body.error).toBe('INVALID_HOLD_STATUS');
    await t.http
      .post(`/v1/admin/reservations/${held}/shipments`)
      .set(admin())
      .set('X-Idempotency-Key', randomUUID())
      .send({ carrier: 'ups', trackingNumber: 'x' })
      .expect(400);
  });
});
