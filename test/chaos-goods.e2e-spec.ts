import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { IMS_CONFIRM_JOB } from '../src/reservations/ims-confirmation.job';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createStock } from './factories/inventory.factory';
import { startFakeCarriers, type FakeCarriers } from './support/fake-carriers';
import { startFakeIms, type FakeIms } from './support/fake-ims';
import { startFakeTax, type FakeTax, type FakeTaxMode } from './support/fake-tax-server';
import { checkPaymentInvariants } from './support/payment-invariants';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/*
 * Seed 003's chaos list for goods checkout (issue 13 item 14): the IMS times out, the tax
 * service answers nonsense, every carrier times out, and PostgreSQL drops the app's
 * connections in the middle of a hold, a convert and a confirmation. Each test's name says
 * what the client sees; after each, nothing is oversold (our counters equal the ledger, the
 * IMS holds exactly what we recorded), nothing is charged without an order, no IMS
 * reservation is recorded twice. docs/operations.md ("Chaos: what the client sees") sums
 * them up.
 */

const EXTERNAL_SKU = 'CHAOS-EXT-1';
const INTERNAL_SKU = 'CHAOS-INT-1';
const EXTERNAL_STOCK = 20;
const EXTERNAL_PRICE = 4900;
const INTERNAL_PRICE = 1500;
/** Per IMS attempt. The hold's kill happens while the IMS answer is withheld: well inside it. */
const IMS_TIMEOUT_MS = 1500;
/** The fallback table's US rate (TAX_FALLBACK_RATES below). */
const US_FALLBACK_RATE = 0.07;
/** No request in this file may take longer: a hang fails the test instead of stalling it. */
const REQUEST_TIMEOUT_MS = 20_000;
const CARRIERS = { fedex: 'fedex-key-chaos', ups: 'ups-key-chaos', usps: 'usps-key-chaos' };

let postal = 62700;
/** A US address whose postal code no earlier test priced: nothing cached for its tax. */
const freshAddress = () => ({
  name: 'Ann Example',
  line1: '1 Main St',
  city: 'Springfield',
  region: 'IL',
  postalCode: String(++postal),
  country: 'US',
});

/** The error envelope of every failed request (DESIGN.md section 6). */
const envelope = (code: string) => ({ error: code, message: expect.any(String), requestId: expect.any(String) });

interface Rate {
  rateId: string;
  carrier: string;
  service: string;
  amount: number;
  currency: string;
}

describe('chaos, goods checkout: the IMS, the tax service, the carriers and PostgreSQL misbehave under a running app', () => {
  let t: TestApp;
  let ims: FakeIms;
  let tax: FakeTax;
  let carriers: FakeCarriers;
  let externalId: string;
  let internalId: string;
  /** A connection of the test's own (another application_name), which the kills spare. */
  let admin: pg.Client;

  const alice = () => ({ Authorization: `Bearer ${t.token('chaos-goods')}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();
  const external = (quantity = 1) => ({ offeringId: externalId, sku: EXTERNAL_SKU, quantity });
  const internal = (quantity = 1) => ({ offeringId: internalId, sku: INTERNAL_SKU, quantity });

  const holdCall = (items: object[], key: string = randomUUID()) =>
    t.http
      .post('/v1/reservations/hold')
      .timeout(REQUEST_TIMEOUT_MS)
      .set(alice())
      .set('X-Idempotency-Key', key)
      .send({ items, guestName: 'Ann Example', guestEmail: 'ann@example.com' });
  const hold = async (items: object[]) => (await holdCall(items).expect(200)).body.reservation.id as string;
  const rates = (id: string, address: object) =>
    t.http.post(`/v1/reservations/${id}/shipping-rates`).timeout(REQUEST_TIMEOUT_MS).set(alice()).send({ address });
  const choose = (id: string, address: object, rateId: string) =>
    t.http.put(`/v1/reservations/${id}/shipping`).timeout(REQUEST_TIMEOUT_MS).set(alice()).send({ address, rateId });
  const convert = (id: string, key: string = randomUUID()) =>
    t.http
      .post('/v1/reservations/hold/convert')
      .timeout(REQUEST_TIMEOUT_MS)
      .set(alice())
      .set('X-Idempotency-Key', key)
      .send({ holdId: id });
  const payAtProvider = (pi: string) =>
    t.http
      .post(`/v1/dev/payments/${pi}/confirm`)
      .timeout(REQUEST_TIMEOUT_MS)
      .set(alice())
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
  const reservation = async (id: string) =>
    (await t.http.get(`/v1/reservations/${id}`).timeout(REQUEST_TIMEOUT_MS).set(alice()).expect(200)).body;
  /** Shipping with the cheapest rate for a fresh address; answers the reservation as PUT returned it. */
  const ship = async (id: string) => {
    const address = freshAddress();
    const rate = (await rates(id, address).expect(200)).body.rates[0] as Rate;
    return (await choose(id, address, rate.rateId).expect(200)).body;
  };

  const stockHeld = async () =>
    Number((await t.dataSource.query(`SELECT held FROM stock_items WHERE sku = $1`, [INTERNAL_SKU]))[0].held);
  const reservationCount = async () => Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM reservations`))[0].n);
  const externalRows = (reservationId: string) =>
    t.dataSource.query(`SELECT status, ims_reservation_id FROM external_allocations WHERE reservation_id = $1`, [
      reservationId,
    ]) as Promise<{ status: string; ims_reservation_id: string }[]>;
  const paymentsOf = async (reservationId: string) =>
    (await t.dataSource.query(`SELECT id, status, amount_cents FROM payments WHERE reservation_id = $1`, [reservationId])) as {
      id: string;
      status: string;
      amount_cents: number;
    }[];
  /** Units the IMS counts as taken (reserved and not lapsed, or confirmed). */
  const imsTaken = async () => EXTERNAL_STOCK - (await ims.model.stock(EXTERNAL_SKU)).available;
  /** Units our live external allocations say the IMS holds for us. */
  const recordedAtIms = async () =>
    Number(
      (
        await t.dataSource.query(
          `SELECT COALESCE(sum(quantity), 0)::int AS n FROM external_allocations
            WHERE ims_item_id = $1 AND status IN ('held', 'confirmed')`,
          [EXTERNAL_SKU],
        )
      )[0].n,
    );
  /** Released IMS reservations are given back after commit or rollback, asynchronously. */
  const imsMatchesLedger = async () => {
    await waitFor('the IMS to hold exactly what we recorded', async () => (await imsTaken()) === (await recordedAtIms()), 10_000);
  };

  /**
   * The invariants every test ends with: counters equal the ledger, no succeeded payment
   * without an order, no IMS reservation recorded twice, the IMS holds what we recorded.
   */
  const expectNothingLostOrDoubled = async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    expect(await checkPaymentInvariants(t.dataSource)).toEqual([]);
    const twice = (await t.dataSource.query(
      `SELECT ims_reservation_id FROM external_allocations GROUP BY ims_reservation_id HAVING count(*) > 1`,
    )) as unknown[];
    expect(twice).toEqual([]);
    await imsMatchesLedger();
  };

  /** The app's backends on this file's database (matching `where`), never the test's own. */
  const appBackends = async (where = 'true'): Promise<number[]> => {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE application_name = 'holdfast' AND datname = $1 AND pid <> pg_backend_pid() AND ${where}`,
      [t.db.name],
    );
    return rows.map((r) => r.pid);
  };
  /**
   * Terminates every connection of the app's pool, busy or idle, and waits until those
   * backends are gone (not until the app has none: it reconnects at once, e.g. to retry a
   * webhook delivery).
   */
  const killAppConnections = async (): Promise<number> => {
    const { rows } = await admin.query<{ pid: number; killed: boolean }>(
      `SELECT pid, pg_terminate_backend(pid) AS killed FROM pg_stat_activity
        WHERE application_name = 'holdfast' AND datname = $1 AND pid <> pg_backend_pid()`,
      [t.db.name],
    );
    const killed = rows.filter((r) => r.killed).map((r) => r.pid);
    await waitFor('the killed backends to exit', async () => (await appBackends()).every((pid) => !killed.includes(pid)), 10_000);
    return killed.length;
  };
  /** A transaction of the test's own holding a reservation's row lock, so the app's next lock on it waits. */
  const lockReservation = async (id: string): Promise<pg.Client> => {
    const blocker = new pg.Client({ connectionString: t.db.url, application_name: 'holdfast-chaos-blocker' });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM reservations WHERE id = $1 FOR UPDATE', [id]);
    return blocker;
  };
  const waitingOnALock = () =>
    waitFor('the app to wait on the row lock', async () => (await appBackends(`wait_event_type = 'Lock'`)).length > 0, 10_000);

  beforeAll(async () => {
    ims = await startFakeIms();
    tax = await startFakeTax();
    carriers = await startFakeCarriers({
      fedex: { key: CARRIERS.fedex, base: 900 },
      ups: { key: CARRIERS.ups, base: 700 },
      usps: { key: CARRIERS.usps, base: 400 },
    });
    t = await createTestApp({
      env: {
        PAYMENT_PROVIDER: 'simulated',
        IMS_MODE: 'http',
        IMS_BASE_URL: ims.url,
        IMS_API_KEY: ims.apiKey,
        IMS_RELEASE: 'true',
        IMS_TIMEOUT_MS: String(IMS_TIMEOUT_MS),
        TAX_API_URL: tax.url,
        TAX_API_KEY: tax.key,
        TAX_TIMEOUT_MS: '500',
        TAX_RETRIES: '0',
        // Every invalid answer below is asked for, not refused by an open breaker.
        TAX_BREAKER_THRESHOLD: '100',
        TAX_RATE_LIMIT_PER_SECOND: '1000',
        TAX_RATE_LIMIT_BURST: '1000',
        TAX_FALLBACK_RATES: `US=${US_FALLBACK_RATE},*=0.2`,
        SHIPPING_PROVIDER: 'http',
        SHIPPING_CARRIERS: Object.keys(CARRIERS)
          .map((name) => `${name}|${carriers.baseUrl(name)}`)
          .join(','),
        SHIPPING_CARRIER_API_KEY: Object.entries(CARRIERS)
          .map(([name, key]) => `${name}=${key}`)
          .join(','),
        // Far below the 3 s default, so that "every carrier times out" costs half a second.
        SHIPPING_QUOTE_TIMEOUT_MS: '500',
      },
    });
    ims.seed(EXTERNAL_SKU, { stock: EXTERNAL_STOCK });
    externalId = (
      await createOffering(t.dataSource, {
        kind: 'product',
        title: 'Carrier (IMS)',
        basePriceCents: EXTERNAL_PRICE,
        weightGrams: 1500,
        refundableUntilHours: 0,
        inventorySource: 'external',
        externalItemId: EXTERNAL_SKU,
      })
    ).id;
    internalId = (await createOffering(t.dataSource, { kind: 'product', basePriceCents: INTERNAL_PRICE, weightGrams: 300 })).id;
    await createStock(t.dataSource, internalId, INTERNAL_SKU, 100);
    admin = new pg.Client({ connectionString: t.db.url, application_name: 'holdfast-chaos-test' });
    await admin.connect();
  });

  afterEach(() => {
    ims.clearFaults();
    tax.mode('ok');
    carriers.reset();
  });

  afterAll(async () => {
    try {
      await expectNothingLostOrDoubled();
    } finally {
      await admin?.end();
      await t?.close();
      await ims?.close();
      await tax?.stop();
      await carriers?.stop();
    }
  });

  describe('the IMS times out during the hold of an external item', () => {
    it('keeps timing out: the client sees 503 INVENTORY_UNAVAILABLE with Retry-After, our own items are given back, and the retry with the same key is 200', async () => {
      // Client sees: hold 503 INVENTORY_UNAVAILABLE (Retry-After) after 3 attempts; the same hold again once the IMS answers: 200.
      const heldBefore = await stockHeld();
      const reservationsBefore = await reservationCount();
      const takenBefore = await imsTaken();
      // Slower than IMS_TIMEOUT_MS on every attempt; each is carried out at the IMS all the same.
      ims.fault('reserve', { kind: 'slow', delayMs: IMS_TIMEOUT_MS + 1000 });
      const key = randomUUID();

      const res = await holdCall([internal(2), external(1)], key);
      expect(res.status).toBe(503);
      expect(res.body).toEqual(envelope('INVENTORY_UNAVAILABLE'));
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The app tried three times with ONE Idempotency-Key: the IMS made one reservation.
      const attempts = ims.requests.filter((r) => r.route === 'reserve').slice(-3);
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
      // Nothing of ours is left: the internal units went back with the rollback, no reservation, no IMS record.
      expect(await stockHeld()).toBe(heldBefore);
      expect(await reservationCount()).toBe(reservationsBefore);
      // The IMS reserved the unit but never told us its id: it cannot be released, it lapses
      // after the hold's TTL plus the 15-minute grace (DESIGN.md section 10). Not an oversell:
      // the IMS counts it against its own stock until then.
      expect(await imsTaken()).toBe(takenBefore + 1);
      expect(await recordedAtIms()).toBe(takenBefore);
      ims.clock.advance((900 + 15 * 60 + 1) * 1000);
      expect(await imsTaken()).toBe(takenBefore);

      ims.clearFaults();
      const retried = await holdCall([internal(2), external(1)], key).expect(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      const id = retried.body.reservation.id as string;
      expect(await externalRows(id)).toEqual([{ status: 'held', ims_reservation_id: expect.any(String) }]);
      expect(await stockHeld()).toBe(heldBefore + 2);
      await expectNothingLostOrDoubled();
    });

    it('times out once: the client sees 200 (the retry with the same Idempotency-Key found the same IMS reservation), recorded once', async () => {
      // Client sees: hold 200, a little late. Nothing to do.
      const takenBefore = await imsTaken();
      const reservationsAtIms = ims.model.reservationCount();
      ims.fault('reserve', { kind: 'slow', delayMs: IMS_TIMEOUT_MS + 1000 }, 1);

      const id = (await holdCall([internal(1), external(1)]).expect(200)).body.reservation.id as string;
      const attempts = ims.requests.filter((r) => r.route === 'reserve').slice(-2);
      expect(attempts.map((r) => r.replayed)).toEqual([false, true]);
      expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
      expect(ims.model.reservationCount()).toBe(reservationsAtIms + 1);
      const rows = await externalRows(id);
      expect(rows).toEqual([{ status: 'held', ims_reservation_id: expect.any(String) }]);
      expect(ims.model.has(rows[0].ims_reservation_id)).toBe(true);
      expect(await imsTaken()).toBe(takenBefore + 1);
      await expectNothingLostOrDoubled();
    });
  });

  describe('the tax service answers invalid data during PUT /v1/reservations/{id}/shipping', () => {
    const invalid: FakeTaxMode[] = ['negative', 'nan', 'missing', 'text', 'no_rate', 'malformed'];

    it.each(invalid)(
      'answers %s: the client sees 200 with the fallback rate and taxEstimated: true, and pays exactly that total',
      async (mode) => {
        // Client sees: PUT shipping 200, taxEstimated: true, tax at the fallback rate; convert charges that total.
        const id = await hold([internal(1)]);
        const address = freshAddress();
        const rate = (await rates(id, address).expect(200)).body.rates[0] as Rate;
        const before = tax.count();
        tax.mode(mode);

        const chosen = (await choose(id, address, rate.rateId).expect(200)).body;
        expect(tax.count()).toBe(before + 1); // it was asked, and its answer refused
        const base = INTERNAL_PRICE + rate.amount;
        expect(chosen.taxEstimated).toBe(true);
        expect(chosen.totals).toEqual({
          subtotal: INTERNAL_PRICE,
          discount: 0,
          shipping: rate.amount,
          tax: Math.round(base * US_FALLBACK_RATE),
          total: base + Math.round(base * US_FALLBACK_RATE),
        });
        expect(chosen.totalPrice).toBe(chosen.totals.total);
        // Nothing of the invalid answer was kept for later.
        const cached = (await t.dataSource.query(`SELECT 1 FROM tax_rates WHERE postal_code = $1`, [address.postalCode])) as [];
        expect(cached).toEqual([]);

        // The sale goes on: the charge is the estimated total, to the cent.
        const pi = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
        expect((await paymentsOf(id)).map((p) => p.amount_cents)).toEqual([chosen.totals.total]);
        await payAtProvider(pi);
        await settle();
        expect((await reservation(id)).status).toBe('confirmed');
        await expectNothingLostOrDoubled();
      },
    );
  });

  describe('every carrier times out', () => {
    it('the client sees 200 with the flat rates and fallback: true, and can check out with one', async () => {
      // Client sees: shipping-rates 200 {fallback: true, flat-rate standard/express}; the sale goes on with one of them.
      for (const name of Object.keys(CARRIERS)) carriers.set(name, { kind: 'slow', delayMs: 10_000 });
      const id = await hold([internal(2)]);
      const address = freshAddress();

      const quoted = (await rates(id, address).expect(200)).body;
      expect(quoted.fallback).toBe(true);
      expect((quoted.rates as Rate[]).map((r) => [r.carrier, r.service, r.amount, r.currency])).toEqual([
        ['flat-rate', 'standard', 690, 'EUR'],
        ['flat-rate', 'express', 1490, 'EUR'],
      ]);
      for (const name of Object.keys(CARRIERS)) expect(carriers.requests(name)).toHaveLength(1);

      const chosen = (await choose(id, address, quoted.rates[0].rateId).expect(200)).body;
      expect(chosen.totals.shipping).toBe(690);
      expect(chosen.shipping).toMatchObject({ carrier: 'flat-rate', service: 'standard', amount: 690 });
      const pi = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
      expect((await paymentsOf(id)).map((p) => p.amount_cents)).toEqual([chosen.totals.total]);
      await payAtProvider(pi);
      await settle();
      expect((await reservation(id)).status).toBe('confirmed');
      await expectNothingLostOrDoubled();
    });
  });

  describe('PostgreSQL kills the app’s connections (pg_terminate_backend) mid-checkout', () => {
    it('during the hold of a cart with an internal and an external item (the IMS has reserved): 503 SERVICE_UNAVAILABLE with Retry-After, the IMS reservation is released, and the retry with the same key is 200', async () => {
      // Client sees: hold 503 SERVICE_UNAVAILABLE (Retry-After: 2); the same hold again: 200, one IMS reservation recorded.
      const heldBefore = await stockHeld();
      const reservationsBefore = await reservationCount();
      const takenBefore = await imsTaken();
      let open!: () => void;
      // The IMS reserves at once but withholds its answer until the kill is done: the app's
      // transaction has allocated the internal item and waits on the IMS, idle in transaction.
      ims.fault('reserve', { kind: 'gate', open: new Promise<void>((resolve) => (open = resolve)) }, 1);
      const reserveRequests = ims.counts().reserve;
      const key = randomUUID();

      const inFlight = holdCall([internal(3), external(1)], key).then((r) => r); // supertest sends on then()
      try {
        await waitFor('the hold to reserve at the IMS', () => ims.counts().reserve > reserveRequests, 10_000);
        expect(await imsTaken()).toBe(takenBefore + 1);
        expect(await killAppConnections()).toBeGreaterThan(0);
      } finally {
        open();
      }

      const res = await inFlight;
      expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: envelope('SERVICE_UNAVAILABLE') });
      expect(res.headers['retry-after']).toBe('2');
      // The whole transaction rolled back: no reservation, the internal units free again,
      // and the IMS reservation it made was given back (IMS_RELEASE=true).
      expect(await reservationCount()).toBe(reservationsBefore);
      expect(await stockHeld()).toBe(heldBefore);
      await waitFor('the release at the IMS', async () => (await imsTaken()) === takenBefore, 10_000);
      expect(ims.requests.some((r) => r.route === 'release' && r.status === 204)).toBe(true);

      const retried = await holdCall([internal(3), external(1)], key).expect(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      const id = retried.body.reservation.id as string;
      expect(await externalRows(id)).toEqual([{ status: 'held', ims_reservation_id: expect.any(String) }]);
      expect(await stockHeld()).toBe(heldBefore + 3);
      // The same key once more: the stored answer, nothing reserved again.
      const replayed = await holdCall([internal(3), external(1)], key).expect(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.reservation.id).toBe(id);
      await expectNothingLostOrDoubled();
    });

    it('during convert: 503 SERVICE_UNAVAILABLE with Retry-After, nothing charged; the retry with the same key is 200, with ONE payment of the total', async () => {
      // Client sees: convert 503 SERVICE_UNAVAILABLE (Retry-After: 2); the same convert again: 200; paying confirms the order.
      const id = await hold([internal(1), external(1)]);
      const chosen = await ship(id);
      const key = randomUUID();
      // The convert's first transaction waits on the reservation's row lock: in flight, provably.
      const blocker = await lockReservation(id);
      try {
        const inFlight = convert(id, key).then((r) => r);
        await waitingOnALock();
        expect(await killAppConnections()).toBeGreaterThan(0);
        const res = await inFlight;
        expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: envelope('SERVICE_UNAVAILABLE') });
        expect(res.headers['retry-after']).toBe('2');
      } finally {
        await blocker.query('ROLLBACK');
        await blocker.end();
      }
      expect(await paymentsOf(id)).toEqual([]);
      expect((await reservation(id)).status).toBe('held');

      const retried = await convert(id, key).expect(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      const pi = retried.body.reservation.paymentIntentId as string;
      expect((await paymentsOf(id)).map((p) => p.amount_cents)).toEqual([chosen.totals.total]);
      await payAtProvider(pi);
      await settle();
      expect((await reservation(id)).status).toBe('confirmed');
      await expectNothingLostOrDoubled();
    });

    it('during the confirmation (the payment webhook and the client’s confirm call): confirm 503 SERVICE_UNAVAILABLE with Retry-After, the webhook delivery is retried, the retry with the same key is 200 confirmed, confirmed at the IMS exactly once', async () => {
      // Client sees: pay 200; confirm 503 SERVICE_UNAVAILABLE (Retry-After: 2); the same confirm again: 200, confirmed with a reference.
      const id = await hold([internal(2), external(1)]);
      const chosen = await ship(id);
      const pi = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
      const orders = ims.model.orderCount();
      const key = randomUUID();
      const confirmCall = () =>
        t.http
          .post('/v1/reservations/confirm')
          .timeout(REQUEST_TIMEOUT_MS)
          .set(alice())
          .set('X-Idempotency-Key', key)
          .send({ reservationId: id, paymentIntentId: pi });
      // The confirming transactions (commit the allocations, queue confirm_order) wait on the row lock.
      const blocker = await lockReservation(id);
      try {
        await payAtProvider(pi); // the card is charged; the webhook event follows and waits on the lock
        await waitingOnALock();
        const inFlight = confirmCall().then((r) => r); // the client's own confirm: it waits too
        await waitFor(
          'the webhook and the confirm call to wait on locks',
          async () => (await appBackends(`wait_event_type = 'Lock'`)).length >= 2,
          10_000,
        );
        expect(await killAppConnections()).toBeGreaterThan(0);
        const res = await inFlight;
        expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: envelope('SERVICE_UNAVAILABLE') });
        expect(res.headers['retry-after']).toBe('2');
      } finally {
        await blocker.query('ROLLBACK');
        await blocker.end();
      }

      const retried = await confirmCall().expect(200);
      expect(retried.body.reservation).toMatchObject({ id, status: 'confirmed', reservationReference: expect.any(String) });
      await settle(); // the webhook's retried delivery changes nothing more
      expect(await reservation(id)).toMatchObject({
        status: 'confirmed',
        reservationReference: retried.body.reservation.reservationReference,
      });
      expect((await paymentsOf(id)).map((p) => [p.status, p.amount_cents])).toEqual([['succeeded', chosen.totals.total]]);
      // confirm_order was queued once, in the confirming transaction that finally committed.
      const job = async () =>
        (await t.dataSource.query(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'reservationId' = $2`, [
          IMS_CONFIRM_JOB,
          id,
        ])) as { state: string }[];
      await waitFor('the IMS confirmation', async () => (await job()).some((j) => j.state === 'completed'), 20_000);
      expect(await job()).toHaveLength(1);
      expect(await externalRows(id)).toEqual([{ status: 'confirmed', ims_reservation_id: expect.any(String) }]);
      expect(ims.model.orderCount()).toBe(orders + 1);
      await expectNothingLostOrDoubled();
    });

    it('after the kills: /health/ready is 200 and a goods checkout goes through untouched', async () => {
      // Client sees: nothing any more; the app recovered without a restart.
      await waitFor(
        'GET /health/ready = 200',
        async () => (await t.http.get('/health/ready').timeout(REQUEST_TIMEOUT_MS)).status === 200,
        10_000,
      );
      const id = await hold([internal(1), external(1)]);
      await ship(id);
      const pi = (await convert(id).expect(200)).body.reservation.paymentIntentId as string;
      await payAtProvider(pi);
      await settle();
      expect((await reservation(id)).status).toBe('confirmed');
      await expectNothingLostOrDoubled();
    });
  });
});
