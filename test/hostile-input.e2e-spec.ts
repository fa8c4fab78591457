import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot, createStock, createUnit } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * What a hostile (or clumsy) client sends: NUL characters, blank names, absurd nesting,
 * amounts at the limits, made-up currencies. Every answer is a 4xx with the error
 * envelope, never a 500.
 */

const NUL = '\u0000';
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };
const DAY_MS = 86_400_000;

interface ErrorBody {
  error: string;
  message: string;
  details?: { field: string; message: string }[];
  requestId: string;
}

function expectValidationFailed(res: Response, field?: string): void {
  expect({ status: res.status, error: (res.body as ErrorBody).error }).toEqual({ status: 400, error: 'VALIDATION_FAILED' });
  expect(res.body).toEqual({
    error: 'VALIDATION_FAILED',
    message: expect.any(String),
    ...((res.body as ErrorBody).details ? { details: expect.any(Array) } : {}),
    requestId: expect.any(String),
  });
  if (field) expect((res.body as ErrorBody).details?.map((d) => d.field)).toContain(field);
}

/** `{a:{a:{...}}}`, `depth` objects deep. */
const nestedObjects = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
};

describe('hostile input', () => {
  let t: TestApp;
  let alice: string;
  let admin: string;

  const hold = (body: object | string, token = alice) =>
    t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Idempotency-Key', randomUUID())
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const createOfferingApi = (body: object | string) =>
    t.http
      .post('/v1/admin/offerings')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const patchOfferingApi = (id: string, body: object) =>
    t.http.patch(`/v1/admin/offerings/${id}`).set('Authorization', `Bearer ${admin}`).send(body);
  const offeringBody = { kind: 'experience', title: 'Kayak', description: '', currency: 'EUR', basePrice: 1000 };

  beforeAll(async () => {
    t = await createTestApp();
    alice = t.token('alice');
    admin = t.token('root', ['admin']);
  });
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t.close();
  });

  /** An offering with one time slot, made in a `beforeAll` of the describe block that calls it. */
  function offeringWithSlot(): { offeringId: string; slotId: string } {
    const ids = { offeringId: '', slotId: '' };
    beforeAll(async () => {
      const offering = await createOffering(t.dataSource);
      ids.offeringId = offering.id;
      ids.slotId = (await createSlot(t.dataSource, offering.id)).id;
    });
    return ids;
  }

  describe('a NUL character in any text input is 400 VALIDATION_FAILED', () => {
    const slot = offeringWithSlot();
    const seedHold = (): Record<string, unknown> => ({
      experienceId: slot.offeringId,
      timeSlotId: slot.slotId,
      numberOfGuests: 1,
      ...guest,
    });

    it('in the guest name and the special requests of a hold', async () => {
      expectValidationFailed(await hold({ ...seedHold(), guestName: `John${NUL}Doe` }), 'guestName');
      expectValidationFailed(await hold({ ...seedHold(), specialRequests: `window${NUL}` }), 'specialRequests');
    });

    it("in a cart line's sku", async () => {
      const product = await createOffering(t.dataSource, { kind: 'product' });
      await createStock(t.dataSource, product.id, 'NUL-SKU-1', 5);
      expectValidationFailed(
        await hold({ items: [{ offeringId: product.id, sku: `NUL-SKU-1${NUL}`, quantity: 1 }], ...guest }),
        'items.0.sku',
      );
    });

    it("in an offering's title, and in its attributes' keys and values, nested ones included", async () => {
      expectValidationFailed(await createOfferingApi({ ...offeringBody, title: `Kay${NUL}ak` }), 'title');
      expectValidationFailed(
        await createOfferingApi({ ...offeringBody, attributes: { [`mee${NUL}ting`]: 'gate' } }),
        'attributes',
      );
      expectValidationFailed(
        await createOfferingApi({ ...offeringBody, attributes: { meeting: { points: ['gate 3', `gate${NUL}4`] } } }),
        'attributes.meeting.points.1',
      );
      const created = await createOfferingApi(offeringBody).expect(201);
      const patch = await t.http
        .patch(`/v1/admin/offerings/${(created.body as { id: string }).id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ description: `long${NUL}` });
      expectValidationFailed(patch, 'description');
    });

    it("in a rental unit's label and a saved card's nickname", async () => {
      const rental = await createOffering(t.dataSource, { kind: 'rental' });
      const unit = await t.http
        .post(`/v1/admin/offerings/${rental.id}/units`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ label: `Van${NUL}1` });
      expectValidationFailed(unit, 'label');
      const card = await t.http
        .post('/v1/payments/methods')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ paymentMethodId: 'pm_card_visa', nickname: `Work${NUL}` });
      expectValidationFailed(card, 'nickname');
    });

    it('in a query string (`q` of the catalog search)', async () => {
      expectValidationFailed(await t.http.get('/v1/catalog/offerings').query({ q: `kay${NUL}ak` }), 'q');
    });

    it("in a token's sub: 401", async () => {
      const res = await t.http.get('/v1/reservations').set('Authorization', `Bearer ${t.token(`ali${NUL}ce`)}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'UNAUTHORIZED', message: expect.any(String), requestId: expect.any(String) });
    });

    it('while the same text without the NUL is accepted', async () => {
      await hold({ ...seedHold(), guestName: 'John Doe', specialRequests: 'window' }).expect(200);
    });
  });

  describe('deeply nested JSON is 400 VALIDATION_FAILED, never a stack overflow', () => {
    // Built as text: JSON.stringify itself recurses, and would overflow first.
    const deep = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

    it('on the hold route: 5,000 nested arrays in about 10 KB', async () => {
      const body = `{"guestName":${deep(5000)},"guestEmail":"john@example.com","items":${deep(10)}}`;
      expect(body.length).toBeLessThan(11_000);
      expectValidationFailed(await hold(body));
      expectValidationFailed(await hold(deep(5000)));
    });

    it('on the admin offering route, where attributes are free-form', async () => {
      expectValidationFailed(await createOfferingApi(`{"title":"x","attributes":{"a":${deep(5000)}}}`));
      // The limit is 32 levels, the body itself being the first: 31 levels of attributes fit, 32 do not.
      expectValidationFailed(await createOfferingApi({ ...offeringBody, attributes: nestedObjects(32) }));
      const ok = await createOfferingApi({ ...offeringBody, attributes: nestedObjects(31) }).expect(201);
      expect((ok.body as { attributes: unknown }).attributes).toEqual(nestedObjects(31));
    });
  });

  describe('blank human text is refused, and text is trimmed', () => {
    const slot = offeringWithSlot();

    it('a guest name of spaces is 400; a padded one is stored trimmed', async () => {
      const seed = { experienceId: slot.offeringId, timeSlotId: slot.slotId, numberOfGuests: 1, guestEmail: 'john@example.com' };
      expectValidationFailed(await hold({ ...seed, guestName: '   ' }), 'guestName');
      expectValidationFailed(await hold({ ...seed, guestName: '\t\n ' }), 'guestName');
      const ok = await hold({ ...seed, guestName: '  John Doe  ' }).expect(200);
      const id = (ok.body as { reservation: { id: string } }).reservation.id;
      const read = await t.http.get(`/v1/reservations/${id}`).set('Authorization', `Bearer ${alice}`).expect(200);
      expect((read.body as { guestName: string }).guestName).toBe('John Doe');
    });

    it("an offering's title, a unit's label and a card's nickname of spaces are 400", async () => {
      expectValidationFailed(await createOfferingApi({ ...offeringBody, title: '   ' }), 'title');
      const created = await createOfferingApi(offeringBody).expect(201);
      const patch = await patchOfferingApi((created.body as { id: string }).id, { title: ' ' });
      expectValidationFailed(patch, 'title');
      const rental = await createOffering(t.dataSource, { kind: 'rental' });
      const unit = await t.http
        .post(`/v1/admin/offerings/${rental.id}/units`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ label: '  ' });
      expectValidationFailed(unit, 'label');
      const card = await t.http
        .post('/v1/payments/methods')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ paymentMethodId: 'pm_card_visa', nickname: '   ' });
      expectValidationFailed(card, 'nickname');
    });
  });

  describe('money at the limits: every allowed input fits, or is 400', () => {
    const MAX_AMOUNT = 99_999_999;

    it('the largest price for one guest is accepted; a price above it is 400', async () => {
      await createOfferingApi({ ...offeringBody, basePrice: MAX_AMOUNT }).expect(201);
      expectValidationFailed(await createOfferingApi({ ...offeringBody, basePrice: MAX_AMOUNT + 1 }), 'basePrice');
    });

    it('the largest price times the largest party is 400, not an integer overflow', async () => {
      const offering = await createOffering(t.dataSource, { basePriceCents: MAX_AMOUNT });
      const slot = await createSlot(t.dataSource, offering.id, { capacity: 50 });
      const seed = { experienceId: offering.id, timeSlotId: slot.id, ...guest };
      const fifty = await hold({ ...seed, numberOfGuests: 50 });
      expectValidationFailed(fifty, 'numberOfGuests');
      expect((fifty.body as ErrorBody).details).toEqual([
        {
          field: 'numberOfGuests',
          message: 'the hold comes to 49999999.50 EUR before discounts; one payment can take at most 999999.99 EUR',
        },
      ]);
      // The same through the cart form.
      expectValidationFailed(
        await hold({ items: [{ offeringId: offering.id, timeSlotId: slot.id, quantity: 50 }], ...guest }),
        'items',
      );
      // Exactly the largest amount: 200 with the right total, and the places are taken.
      const one = await hold({ ...seed, numberOfGuests: 1 }).expect(200);
      expect((one.body as { reservation: { totalPrice: number } }).reservation.totalPrice).toBe(MAX_AMOUNT);
      const [{ held }] = (await t.dataSource.query('SELECT held FROM time_slots WHERE id = $1', [slot.id])) as { held: number }[];
      expect(held).toBe(1);
      // ... and it can be paid: the payment row and the provider take it whole.
      const holdId = (one.body as { reservation: { id: string } }).reservation.id;
      await t.http
        .post('/v1/reservations/hold/convert')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId })
        .expect(200);
      const payments = (await t.dataSource.query('SELECT amount_cents FROM payments WHERE reservation_id = $1', [holdId])) as {
        amount_cents: number;
      }[];
      expect(payments).toEqual([{ amount_cents: MAX_AMOUNT }]);
    });

    it('the largest party at a price that fits is 200 with the exact total', async () => {
      const price = Math.floor(MAX_AMOUNT / 50); // 1,999,999
      const offering = await createOffering(t.dataSource, { basePriceCents: price });
      const slot = await createSlot(t.dataSource, offering.id, { capacity: 50 });
      const res = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 50, ...guest }).expect(200);
      expect((res.body as { reservation: { totalPrice: number } }).reservation.totalPrice).toBe(price * 50);
    });

    it('the largest price for a 365-day rental is 400; a 365-day rental that fits is 200', async () => {
      const start = new Date(Date.now() + 2 * DAY_MS);
      const end = new Date(start.getTime() + 365 * DAY_MS);
      const dates = { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
      const dear = await createOffering(t.dataSource, { kind: 'rental', basePriceCents: MAX_AMOUNT });
      await createUnit(t.dataSource, dear.id, 'Dear van');
      expectValidationFailed(await hold({ items: [{ offeringId: dear.id, ...dates }], ...guest }), 'items');

      const price = Math.floor(MAX_AMOUNT / 365);
      const fair = await createOffering(t.dataSource, { kind: 'rental', basePriceCents: price });
      await createUnit(t.dataSource, fair.id, 'Fair van');
      const ok = await hold({ items: [{ offeringId: fair.id, ...dates }], ...guest }).expect(200);
      expect((ok.body as { reservation: { totalPrice: number } }).reservation.totalPrice).toBe(price * 365);
    });

    it('a cart of 20 lines at the largest party adds up past the limit: 400', async () => {
      const offering = await createOffering(t.dataSource, { kind: 'product', basePriceCents: 5_000_000 });
      await createStock(t.dataSource, offering.id, 'BIG-CART-1', 1_000_000_000);
      const items = Array.from({ length: 20 }, () => ({ offeringId: offering.id, sku: 'BIG-CART-1', quantity: 50 }));
      expectValidationFailed(await hold({ items, ...guest }), 'items');
    });

    it('the largest stock level is accepted, one more is 400, and holds on it count right', async () => {
      const product = await createOffering(t.dataSource, { kind: 'product', basePriceCents: 100 });
      const put = (onHand: number) =>
        t.http
          .put(`/v1/admin/offerings/${product.id}/stock`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ items: [{ sku: 'MAX-STOCK-1', onHand }] });
      await put(1_000_000_000).expect(200);
      expectValidationFailed(await put(1_000_000_001), 'items.0.onHand');
      const res = await hold({ items: [{ offeringId: product.id, sku: 'MAX-STOCK-1', quantity: 50 }], ...guest }).expect(200);
      expect((res.body as { reservation: { totalPrice: number } }).reservation.totalPrice).toBe(5000);
      const stock = await t.http.get(`/v1/catalog/offerings/${product.id}/availability`).expect(200);
      expect(JSON.stringify(stock.body)).toContain('999999950');
    });
  });

  describe('currencies are real ISO 4217 codes, and amounts follow their minor unit', () => {
    it('a made-up currency is 400 on create and on update', async () => {
      expectValidationFailed(await createOfferingApi({ ...offeringBody, currency: 'ZZZ' }), 'currency');
      expectValidationFailed(await createOfferingApi({ ...offeringBody, currency: 'XTS' }), 'currency');
      const created = await createOfferingApi(offeringBody).expect(201);
      const patch = await patchOfferingApi((created.body as { id: string }).id, { currency: 'ZZZ' });
      expectValidationFailed(patch, 'currency');
      await createOfferingApi({ ...offeringBody, currency: 'JPY' }).expect(201);
      await createOfferingApi({ ...offeringBody, currency: 'KWD' }).expect(201);
    });

    it('JPY has no minor unit: prices, discounts and the payment are whole yen, sent to the provider as such', async () => {
      const created = await createOfferingApi({
        ...offeringBody,
        currency: 'JPY',
        basePrice: 1500, // 1,500 yen a guest
        pricingRules: { groupDiscount: { minQuantity: 3, percentOff: 12.5, type: 'group_3_plus' } },
      }).expect(201);
      const offeringId = (created.body as { id: string }).id;
      const slot = await createSlot(t.dataSource, offeringId, { capacity: 5 });
      const held = await hold({ experienceId: offeringId, timeSlotId: slot.id, numberOfGuests: 3, ...guest }).expect(200);
      // 4,500 yen less 12.5 % (562.5 yen, rounded half up to a whole yen).
      expect((held.body as { reservation: object }).reservation).toMatchObject({
        totalPrice: 3937,
        originalPrice: 4500,
        discountApplied: 563,
        currency: 'JPY',
      });
      const holdId = (held.body as { reservation: { id: string } }).reservation.id;
      const converted = await t.http
        .post('/v1/reservations/hold/convert')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId })
        .expect(200);
      expect((converted.body as { paymentClientSecret: string }).paymentClientSecret).toEqual(expect.any(String));
      const payments = (await t.dataSource.query('SELECT amount_cents, currency FROM payments WHERE reservation_id = $1', [
        holdId,
      ])) as { amount_cents: number; currency: string }[];
      expect(payments).toEqual([{ amount_cents: 3937, currency: 'JPY' }]);
    });
  });
});
