import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { IMS_CONFIRM_JOB } from '../src/reservations/ims-confirmation.job';
import { createOffering, createStock } from './factories/inventory.factory';
import { startFakeIms, type FakeIms } from './support/fake-ims';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { backdateHolds } from './support/time';
import { waitFor } from './support/wait';

const ADDRESS = {
  name: 'Ann Example',
  line1: '1 Main St',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  country: 'US',
};
const EXTERNAL_SKU = 'CARRIER-EXT-1';

/**
 * Goods held at the Inventory Management System (DESIGN.md section 10), through the real
 * app and its HTTP adapter against the fake IMS: the IMS decides the last unit, a cart is
 * all or nothing across our ledger and the IMS, an IMS outage costs only its own items,
 * and a paid order is confirmed there by a job, once, whatever the IMS does meanwhile.
 */
describe('checkout of external goods (the IMS)', () => {
  let t: TestApp;
  let ims: FakeIms;
  let externalId: string;
  let internalId: string;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });
  const admin = () => ({ Authorization: `Bearer ${t.token('ada', ['admin'])}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const hold = (items: object[]) =>
    t.http
      .post('/v1/reservations/hold')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ items, guestName: 'Ann Example', guestEmail: 'ann@example.com' });
  const external = (quantity = 1) => ({ offeringId: externalId, sku: EXTERNAL_SKU, quantity });
  const internal = (quantity = 1) => ({ offeringId: internalId, sku: 'CARRIER-INT', quantity });
  const allocations = (reservationId: string) =>
    t.dataSource.query(`SELECT status, ims_reservation_id, ims_order_id FROM external_allocations WHERE reservation_id = $1`, [
      reservationId,
    ]) as Promise<{ status: string; ims_reservation_id: string; ims_order_id: string | null }[]>;
  const stockHeld = async () =>
    Number((await t.dataSource.query(`SELECT held FROM stock_items WHERE sku = 'CARRIER-INT'`))[0].held);
  const job = async (reservationId: string) =>
    (
      await t.dataSource.query(`SELECT id, state, retry_count FROM pgboss.job WHERE name = $1 AND data->>'reservationId' = $2`, [
        IMS_CONFIRM_JOB,
        reservationId,
      ])
    )[0] as { id: string; state: string; retry_count: number } | undefined;
  const pay = async (id: string) => {
    const rates = await t.http.post(`/v1/reservations/${id}/shipping-rates`).set(alice()).send({ address: ADDRESS }).expect(200);
    await t.http
      .put(`/v1/reservations/${id}/shipping`)
      .set(alice())
      .send({ address: ADDRESS, rateId: rates.body.rates[0].rateId })
      .expect(200);
    const converted = await t.http
      .post('/v1/reservations/hold/convert')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId: id })
      .expect(200);
    await t.http
      .post(`/v1/dev/payments/${converted.body.reservation.paymentIntentId}/confirm`)
      .set(alice())
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    await settle();
  };

  beforeAll(async () => {
    ims = await startFakeIms();
    t = await createTestApp({
      env: {
        PAYMENT_PROVIDER: 'simulated',
        IMS_MODE: 'http',
        IMS_BASE_URL: ims.url,
        IMS_API_KEY: ims.apiKey,
        IMS_RELEASE: 'true',
        IMS_TIMEOUT_MS: '300',
        SHIPPING_SIMULATED_LATENCY_MS: '0',
      },
    });
    externalId = (
      await createOffering(t.dataSource, {
        kind: 'product',
        title: 'Carrier (IMS)',
        basePriceCents: 4900,
        weightGrams: 1500,
        refundableUntilHours: 0,
        inventorySource: 'external',
        externalItemId: EXTERNAL_SKU,
      })
    ).id;
    internalId = (await createOffering(t.dataSource, { kind: 'product', basePriceCents: 1500, weightGrams: 300 })).id;
    await createStock(t.dataSource, internalId, 'CARRIER-INT', 100);
  });
  afterAll(async () => {
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    await t?.close();
    await ims?.close();
  });
  beforeEach(() => {
    ims.clearFaults();
    ims.seed(EXTERNAL_SKU, { stock: 5 });
  });

  it('holds the last external unit once among 10 racing holds: the IMS decides, we record what it reserved', async () => {
    ims.seed(EXTERNAL_SKU, { stock: 1 });
    const results = await Promise.all(Array.from({ length: 10 }, () => hold([external()])));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r) => r.status !== 200)) {
      expect({ status: lost.status, error: lost.body.error }).toEqual({ status: 409, error: 'NOT_ENOUGH_CAPACITY' });
    }
    const id = won[0].body.reservation.id as string;
    const rows = await allocations(id);
    expect(rows).toEqual([{ status: 'held', ims_reservation_id: expect.any(String), ims_order_id: null }]);
    expect(ims.model.has(rows[0].ims_reservation_id)).toBe(true);
  });

  it('a cart is all or nothing: when the IMS refuses, our own items are given back', async () => {
    ims.seed(EXTERNAL_SKU, { stock: 0 });
    const before = await stockHeld();
    const res = await hold([internal(2), external()]).expect(409);
    expect(res.body.error).toBe('NOT_ENOUGH_CAPACITY');
    expect(await stockHeld()).toBe(before);
  });

  it('IMS down: external holds answer 503 INVENTORY_UNAVAILABLE with Retry-After, internal ones still work', async () => {
    ims.fault('reserve', { kind: 'status', status: 503 }, 1000);
    const before = await stockHeld();
    const res = await hold([internal(1), external()]);
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('INVENTORY_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await stockHeld()).toBe(before);
    await hold([internal(1)]).expect(200);
  });

  it('gives an external hold back to the IMS when it is cancelled (its unit can be held again)', async () => {
    // Earlier tests' holds still count at the IMS: leave exactly one unit free.
    const { available } = await ims.model.stock(EXTERNAL_SKU);
    ims.seed(EXTERNAL_SKU, { stock: 5 - available + 1 });
    const id = (await hold([external()]).expect(200)).body.reservation.id as string;
    const [row] = await allocations(id);
    expect((await hold([external()]).expect(409)).body.error).toBe('NOT_ENOUGH_CAPACITY');
    await t.http.post(`/v1/reservations/${id}/cancel`).set(alice()).set('X-Idempotency-Key', randomUUID()).expect(200);
    expect((await allocations(id))[0].status).toBe('released');
    await waitFor('the release at the IMS', () =>
      ims.requests.some(
        (r) => r.route === 'release' && r.path.endsWith(encodeURIComponent(row.ims_reservation_id)) && r.status === 204,
      ),
    );
    await hold([external()]).expect(200);
  });

  it('gives an expired hold back to the IMS once the sweep has committed, and its own items to our stock', async () => {
    const { available } = await ims.model.stock(EXTERNAL_SKU);
    ims.seed(EXTERNAL_SKU, { stock: 5 - available + 1 });
    const before = await stockHeld();
    const id = (await hold([internal(2), external()]).expect(200)).body.reservation.id as string;
    const [row] = await allocations(id);
    expect(await stockHeld()).toBe(before + 2);
    expect((await hold([external()]).expect(409)).body.error).toBe('NOT_ENOUGH_CAPACITY');
    await backdateHolds(t, 16 * 60_000, [id]);
    await t.app.get(HoldExpiryJob).sweep();
    const [reservation] = (await t.dataSource.query(`SELECT status FROM reservations WHERE id = $1`, [id])) as {
      status: string;
    }[];
    expect(reservation.status).toBe('expired');
    expect((await allocations(id))[0].status).toBe('released');
    expect(await stockHeld()).toBe(before);
    await waitFor('the release at the IMS', () =>
      ims.requests.some(
        (r) => r.route === 'release' && r.path.endsWith(encodeURIComponent(row.ims_reservation_id)) && r.status === 204,
      ),
    );
    // Its unit is free again at the IMS (taking it here would leave none for the tests below).
    expect((await ims.model.stock(EXTERNAL_SKU)).available).toBe(1);
  });

  it('confirms a paid order at the IMS by a job, exactly once, even when the IMS is down at first', async () => {
    const orders = ims.model.orderCount();
    ims.fault('confirm_order', { kind: 'status', status: 503 }, 3); // the first attempt's tries all fail
    const id = (await hold([external(2)]).expect(200)).body.reservation.id as string;
    await pay(id);
    expect((await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body.status).toBe('confirmed');
    await waitFor('the first attempt to fail', async () => (await job(id))?.state === 'retry', 20_000);
    await t.dataSource.query(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [(await job(id))!.id]);
    await waitFor('the confirmation', async () => (await job(id))?.state === 'completed', 20_000);
    expect(await allocations(id)).toEqual([
      { status: 'confirmed', ims_reservation_id: expect.any(String), ims_order_id: expect.any(String) },
    ]);
    expect(ims.model.orderCount()).toBe(orders + 1);
  });

  it('a definitive rejection (410) refunds the whole order, emails the customer and opens a support case', async () => {
    ims.fault('confirm_order', { kind: 'status', status: 410 }, 1000);
    const id = (await hold([external()]).expect(200)).body.reservation.id as string;
    await pay(id);
    await waitFor('the rejection', async () => (await job(id))?.state === 'completed', 20_000);
    await settle();
    const after = (await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body;
    expect(after.status).toBe('refunded');
    expect(after.refunds.map((r: { amount: number }) => r.amount)).toEqual([after.totals.total]);
    expect((await allocations(id))[0].status).toBe('rejected');
    const cases = await t.http.get('/v1/admin/support-cases').query({ kind: 'ims_order_rejected' }).set(admin()).expect(200);
    expect(cases.body.cases.map((c: { reservationId: string }) => c.reservationId)).toContain(id);
    await waitFor('the refund email', async () =>
      (
        (await t.http.get('/v1/dev/emails').query({ reservationId: id }).set(alice()).expect(200)).body.emails as {
          template: string;
        }[]
      ).some((e) => e.template === 'reservation_refunded'),
    );
  });

  it("reads an external offering's availability at the IMS, and serves its last answer (at most 60 s old, marked) while it is down", async () => {
    const availability = () => t.http.get(`/v1/catalog/offerings/${externalId}/availability`);
    const fresh = (await availability().expect(200)).body;
    const { available } = await ims.model.stock(EXTERNAL_SKU);
    expect(fresh).toMatchObject({ kind: 'product', stock: [{ sku: EXTERNAL_SKU, available }], external: { cached: false } });
    ims.fault('stock', { kind: 'status', status: 503 }, 3); // one read's three tries
    const cached = (await availability().expect(200)).body;
    expect(cached).toMatchObject({
      stock: [{ sku: EXTERNAL_SKU, available }],
      external: { cached: true, asOf: fresh.external.asOf },
    });
    t.clock.advance(61_000);
    try {
      ims.fault('stock', { kind: 'status', status: 503 }, 3);
      const res = await availability().expect(503);
      expect(res.body.error).toBe('INVENTORY_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      t.clock.advance(-61_000);
    }
  });

  it('switching inventory.ims off makes external offerings unorderable at once, without a request to the IMS', async () => {
    const flag = (enabled: boolean) => t.http.put('/v1/admin/flags/inventory.ims').set(admin()).send({ enabled }).expect(200);
    await flag(false);
    try {
      const requests = ims.requests.length;
      expect((await t.http.get(`/v1/catalog/offerings/${externalId}`).expect(200)).body).toMatchObject({
        orderable: false,
        unavailableReason: 'INVENTORY_UNAVAILABLE',
      });
      expect((await hold([external()]).expect(503)).body.error).toBe('INVENTORY_UNAVAILABLE');
      expect(ims.requests.length).toBe(requests);
    } finally {
      await flag(true);
    }
  });

  it('the catalog says orderable: false once the IMS breaker opens; internal offerings are unaffected (last: the breaker stays open)', async () => {
    const offering = async () => (await t.http.get(`/v1/catalog/offerings/${externalId}`).expect(200)).body;
    expect(await offering()).toMatchObject({ orderable: true, unavailableReason: null });
    ims.fault('reserve', { kind: 'status', status: 503 }, 1000);
    for (let i = 0; i < 6 && (await offering()).orderable; i++) await hold([external()]).expect(503);
    expect(await offering()).toMatchObject({ orderable: false, unavailableReason: 'INVENTORY_UNAVAILABLE' });
    const { integrations } = (await t.http.get('/v1/admin/integrations').set(admin()).expect(200)).body as {
      integrations: { name: string; breakerState: string; lastError: { message: string } | null }[];
    };
    expect(integrations.find((i) => i.name === 'ims')).toMatchObject({ breakerState: 'open', lastError: expect.any(Object) });
    // Internal offerings are unaffected.
    expect((await t.http.get(`/v1/catalog/offerings/${internalId}`).expect(200)).body.orderable).toBe(true);
  });
});
