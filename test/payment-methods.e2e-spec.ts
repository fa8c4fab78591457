import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@holdfast/errors';
import { PaymentMethodsService } from '../src/payments/payment-methods.service';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe/index';
import { createTestApp, type TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

interface Method {
  id: string;
  type: string;
  last4: string;
  brand: string;
  expMonth: string;
  expYear: string;
  isDefault: boolean;
  nickname: string | null;
  createdAt: string;
}

/** Seed 004 "Add / Get / Delete / Set Default Payment Method", with the simulated provider. */
describe('saved payment methods (seed 004)', () => {
  let t: TestApp;
  const tokens = new Map<string, string>();
  const token = (user: string) => {
    if (!tokens.has(user)) tokens.set(user, t.token(user));
    return tokens.get(user)!;
  };

  const list = (user: string) => t.http.get('/v1/payments/methods').set('Authorization', `Bearer ${token(user)}`);
  const add = (user: string, body: object, key?: string) => {
    const req = t.http.post('/v1/payments/methods').set('Authorization', `Bearer ${token(user)}`);
    return (key ? req.set('X-Idempotency-Key', key) : req).send(body);
  };
  const remove = (user: string, id: string) =>
    t.http.delete(`/v1/payments/methods/${id}`).set('Authorization', `Bearer ${token(user)}`);
  const makeDefault = (user: string, id: string) =>
    t.http.put(`/v1/payments/methods/${id}/default`).set('Authorization', `Bearer ${token(user)}`);

  const methods = async (user: string): Promise<Method[]> => {
    const res = await list(user).expect(200);
    return (res.body as { data: Method[] }).data;
  };
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number(((await t.dataSource.query(sql, params)) as { n: string }[])[0].n);
  const providerId = async (id: string): Promise<string> =>
    (
      (await t.dataSource.query('SELECT provider_payment_method_id FROM saved_payment_methods WHERE id = $1', [id])) as {
        provider_payment_method_id: string;
      }[]
    )[0].provider_payment_method_id;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
  });
  afterAll(async () => t.close());

  it('lists nothing for a user without cards', async () => {
    const res = await list('empty').expect(200);
    expect(res.body).toEqual({ success: true, data: [] });
  });

  it('walks the seed: first card is the default, second is not, set default, delete the default promotes the other, delete the last', async () => {
    const first = await add('alice', { paymentMethodId: 'pm_card_visa', nickname: 'Personal Card' }).expect(200);
    expect(first.body).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(UUID),
        type: 'card',
        last4: '4242',
        brand: 'Visa',
        expMonth: expect.stringMatching(/^(0[1-9]|1[0-2])$/),
        expYear: expect.stringMatching(/^\d{4}$/),
        isDefault: true,
        nickname: 'Personal Card',
        createdAt: expect.stringMatching(ISO),
      },
    });
    const visa = (first.body as { data: Method }).data;
    // Our id, never the provider's.
    expect(await providerId(visa.id)).toMatch(/^pm_/);
    expect(await providerId(visa.id)).not.toBe(visa.id);

    const second = await add('alice', { paymentMethodId: 'pm_card_mastercard', nickname: 'Work Card' }).expect(200);
    const master = (second.body as { data: Method }).data;
    expect(master).toMatchObject({ type: 'card', last4: '4444', brand: 'Mastercard', isDefault: false, nickname: 'Work Card' });

    let cards = await methods('alice');
    expect(cards.map((c) => [c.id, c.isDefault])).toEqual([
      [visa.id, true],
      [master.id, false],
    ]);
    expect(cards[0]).toEqual(visa);

    const set = await makeDefault('alice', master.id).expect(200);
    expect(set.body).toEqual({ success: true, message: 'Default payment method updated successfully' });
    cards = await methods('alice');
    expect(cards.map((c) => [c.id, c.isDefault])).toEqual([
      [master.id, true],
      [visa.id, false],
    ]);
    // Setting the default again changes nothing.
    await makeDefault('alice', master.id).expect(200);
    expect((await methods('alice')).filter((c) => c.isDefault).map((c) => c.id)).toEqual([master.id]);

    const removed = await remove('alice', master.id).expect(200);
    expect(removed.body).toEqual({ success: true, message: 'Payment method removed successfully' });
    cards = await methods('alice');
    expect(cards.map((c) => [c.id, c.isDefault])).toEqual([[visa.id, true]]);

    await remove('alice', visa.id).expect(200);
    expect(await methods('alice')).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM saved_payment_methods WHERE user_id = $1', ['alice'])).toBe(0);
  });

  it('promotes the most recently added remaining card when the default is deleted', async () => {
    const ids: string[] = [];
    for (const pm of ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex']) {
      ids.push(((await add('dora', { paymentMethodId: pm }).expect(200)).body as { data: Method }).data.id);
    }
    const [visa, master, amex] = ids;
    expect((await methods('dora')).find((c) => c.isDefault)?.id).toBe(visa);
    await remove('dora', visa).expect(200);
    const cards = await methods('dora');
    expect(cards.map((c) => [c.id, c.isDefault])).toEqual([
      [amex, true],
      [master, false],
    ]);
    expect(cards[0]).toMatchObject({ brand: 'American Express', last4: '8431', nickname: null });
  });

  it("answers 404 PAYMENT_METHOD_NOT_FOUND for another user's card, an unknown id and a malformed id", async () => {
    const bobs = ((await add('bob', { paymentMethodId: 'pm_card_visa' }).expect(200)).body as { data: Method }).data;
    const notFound = { error: 'PAYMENT_METHOD_NOT_FOUND', message: expect.any(String) };
    for (const id of [bobs.id, randomUUID(), 'not-a-uuid', '1']) {
      expect((await remove('mallory', id).expect(404)).body).toMatchObject(notFound);
      expect((await makeDefault('mallory', id).expect(404)).body).toMatchObject(notFound);
    }
    // Bob's card is untouched and still his default.
    expect(await methods('bob')).toEqual([bobs]);
    expect(await methods('mallory')).toEqual([]);
  });

  it('returns the card already saved when the same provider PaymentMethod is added again', async () => {
    const card = ((await add('erin', { paymentMethodId: 'pm_card_visa', nickname: 'Mine' }).expect(200)).body as { data: Method })
      .data;
    const pm = await providerId(card.id);
    const again = await add('erin', { paymentMethodId: pm, nickname: 'Other name' }).expect(200);
    expect((again.body as { data: Method }).data).toEqual(card);
    expect(await count('SELECT count(*) AS n FROM saved_payment_methods WHERE user_id = $1', ['erin'])).toBe(1);
  });

  it('creates one provider customer per user, even for 10 concurrent first adds, and exactly one default', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => add('carol', { paymentMethodId: 'pm_card_visa' })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await count('SELECT count(*) AS n FROM payment_customers WHERE user_id = $1', ['carol'])).toBe(1);
    const cards = await methods('carol');
    expect(cards).toHaveLength(10);
    expect(cards.filter((c) => c.isDefault)).toHaveLength(1);
    expect(cards[0].isDefault).toBe(true);

    // Later adds reuse the customer.
    await add('carol', { paymentMethodId: 'pm_card_mastercard' }).expect(200);
    expect(await count('SELECT count(*) AS n FROM payment_customers WHERE user_id = $1', ['carol'])).toBe(1);
  });

  it('replays an add under the same idempotency key instead of saving another card', async () => {
    const key = randomUUID();
    const first = await add('frank', { paymentMethodId: 'pm_card_visa' }, key).expect(200);
    const replay = await add('frank', { paymentMethodId: 'pm_card_visa' }, key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await methods('frank')).toHaveLength(1);
  });

  it('refuses invalid bodies with 400 VALIDATION_FAILED', async () => {
    const fields = (body: unknown) => ((body as { details?: { field: string }[] }).details ?? []).map((d) => d.field);
    const missing = await add('gina', { nickname: 'x' }).expect(400);
    expect(missing.body).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(fields(missing.body)).toContain('paymentMethodId');

    const unknown = await add('gina', { paymentMethodId: 'pm_card_visa', cardNumber: '4242424242424242' }).expect(400);
    expect(unknown.body).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(fields(unknown.body)).toContain('cardNumber');

    const long = await add('gina', { paymentMethodId: 'pm_card_visa', nickname: 'n'.repeat(51) }).expect(400);
    expect(fields(long.body)).toEqual(['nickname']);

    const wrongType = await add('gina', { paymentMethodId: 42 }).expect(400);
    expect(fields(wrongType.body)).toContain('paymentMethodId');

    // Nothing was saved, and no customer was created for a refused request.
    expect(await methods('gina')).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM payment_customers WHERE user_id = $1', ['gina'])).toBe(0);
  });

  it('answers 400 VALIDATION_FAILED on paymentMethodId for a PaymentMethod the provider does not know', async () => {
    const res = await add('hank', { paymentMethodId: 'pm_does_not_exist_123' }).expect(400);
    expect(res.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'paymentMethodId', message: expect.any(String) }],
    });
    expect(await methods('hank')).toEqual([]);
  });

  it('needs a token', async () => {
    await t.http.get('/v1/payments/methods').expect(401);
    await t.http.post('/v1/payments/methods').send({ paymentMethodId: 'pm_card_visa' }).expect(401);
  });

  describe('for the payment flow', () => {
    let service: PaymentMethodsService;
    beforeAll(() => {
      service = t.app.get(PaymentMethodsService);
    });

    it("resolves the user's own card to provider ids, and nobody else's", async () => {
      const card = ((await add('ivan', { paymentMethodId: 'pm_card_visa' }).expect(200)).body as { data: Method }).data;
      const customer = (
        (await t.dataSource.query('SELECT provider_customer_id FROM payment_customers WHERE user_id = $1', ['ivan'])) as {
          provider_customer_id: string;
        }[]
      )[0].provider_customer_id;
      await expect(service.resolveForPayment('ivan', card.id)).resolves.toEqual({
        customerId: customer,
        providerPaymentMethodId: await providerId(card.id),
      });
      for (const [user, id] of [
        ['judy', card.id],
        ['ivan', randomUUID()],
        ['ivan', 'pm_card_visa'],
      ]) {
        const error = await service.resolveForPayment(user, id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('PAYMENT_METHOD_NOT_FOUND');
      }
    });

    it('saves the card of a payment once, the first one as the default', async () => {
      const saved = await service.saveFromPayment('kate', 'pm_card_visa');
      expect(saved).toMatchObject({ type: 'card', brand: 'Visa', last4: '4242', isDefault: true, nickname: null });
      const pm = await providerId(saved.id);
      await expect(service.saveFromPayment('kate', pm)).resolves.toEqual(saved);
      expect(await methods('kate')).toEqual([saved]);
      expect(await count('SELECT count(*) AS n FROM payment_customers WHERE user_id = $1', ['kate'])).toBe(1);
    });
  });
});

/** The same routes against the Stripe adapter and the fake Stripe server: provider state and provider failures. */
describe('saved payment methods with PAYMENT_PROVIDER=stripe (fake Stripe)', () => {
  let t: TestApp;
  let fake: FakeStripe;
  const bearer = (user: string) => `Bearer ${t.token(user)}`;
  const add = (user: string, body: object) => t.http.post('/v1/payments/methods').set('Authorization', bearer(user)).send(body);
  const methods = async (user: string): Promise<Method[]> =>
    ((await t.http.get('/v1/payments/methods').set('Authorization', bearer(user)).expect(200)).body as { data: Method[] }).data;
  const providerIds = async (user: string): Promise<{ customer: string; pms: Record<string, string> }> => {
    const rows = (await t.dataSource.query(
      `SELECT m.id, m.provider_payment_method_id, c.provider_customer_id
         FROM payment_customers c LEFT JOIN saved_payment_methods m ON m.user_id = c.user_id WHERE c.user_id = $1`,
      [user],
    )) as { id: string | null; provider_payment_method_id: string; provider_customer_id: string }[];
    return {
      customer: rows[0].provider_customer_id,
      pms: Object.fromEntries(rows.filter((r) => r.id).map((r) => [r.id, r.provider_payment_method_id])),
    };
  };
  const unavailable = (path: string) => fake.inject({ kind: 'status', status: 503, path, times: 3 });

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_holdfast', STRIPE_API_BASE: fake.url },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('keeps the provider in step: one customer, cards attached, default set, detached on delete', async () => {
    const visa = ((await add('alice', { paymentMethodId: 'pm_card_visa' }).expect(200)).body as { data: Method }).data;
    expect(visa).toMatchObject({ brand: 'Visa', last4: '4242', isDefault: true });
    const master = ((await add('alice', { paymentMethodId: 'pm_card_mastercard' }).expect(200)).body as { data: Method }).data;
    expect(master.isDefault).toBe(false);

    const { customer, pms } = await providerIds('alice');
    expect(fake.state.customers.get(customer)?.invoice_settings.default_payment_method).toBe(pms[visa.id]);
    expect(fake.state.paymentMethods.get(pms[master.id])?.customer).toBe(customer);

    await t.http.put(`/v1/payments/methods/${master.id}/default`).set('Authorization', bearer('alice')).expect(200);
    expect(fake.state.customers.get(customer)?.invoice_settings.default_payment_method).toBe(pms[master.id]);

    await t.http.delete(`/v1/payments/methods/${master.id}`).set('Authorization', bearer('alice')).expect(200);
    expect(fake.state.paymentMethods.get(pms[master.id])?.customer).toBeNull();
    expect((await methods('alice')).map((c) => [c.id, c.isDefault])).toEqual([[visa.id, true]]);
    expect(fake.state.customers.get(customer)?.invoice_settings.default_payment_method).toBe(pms[visa.id]);
  });

  it('creates one Stripe customer for 10 concurrent first adds', async () => {
    const ids = ['pm_card_visa', 'pm_card_visa_debit', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_chargeDeclined'];
    const responses = await Promise.all([...ids, ...ids].map((pm) => add('carol', { paymentMethodId: pm })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const { customer } = await providerIds('carol');
    expect([...fake.state.customers.values()].filter((c) => c.metadata.userId === 'carol').map((c) => c.id)).toEqual([customer]);
    const cards = await methods('carol');
    expect(cards.filter((c) => c.isDefault)).toHaveLength(1);
  });

  it('answers 400 VALIDATION_FAILED on paymentMethodId for a PaymentMethod Stripe does not know', async () => {
    const res = await add('hank', { paymentMethodId: 'pm_1NoSuchThing' }).expect(400);
    expect(res.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'paymentMethodId', message: expect.any(String) }],
    });
    expect(JSON.stringify(res.body)).not.toContain('cus_');
  });

  it('answers 502 PAYMENT_PROCESSING_FAILED when Stripe is down, and changes nothing', async () => {
    unavailable('/v1/payment_methods/:id/attach');
    const failedAdd = await add('dave', { paymentMethodId: 'pm_card_visa' }).expect(502);
    expect(failedAdd.body).toMatchObject({ error: 'PAYMENT_PROCESSING_FAILED' });
    expect(await methods('dave')).toEqual([]);

    const visa = ((await add('dave', { paymentMethodId: 'pm_card_visa' }).expect(200)).body as { data: Method }).data;
    const master = ((await add('dave', { paymentMethodId: 'pm_card_mastercard' }).expect(200)).body as { data: Method }).data;

    unavailable('/v1/customers/:id');
    const failedDefault = await t.http
      .put(`/v1/payments/methods/${master.id}/default`)
      .set('Authorization', bearer('dave'))
      .expect(502);
    expect(failedDefault.body).toMatchObject({ error: 'PAYMENT_PROCESSING_FAILED' });

    unavailable('/v1/payment_methods/:id/detach');
    const failedDelete = await t.http.delete(`/v1/payments/methods/${visa.id}`).set('Authorization', bearer('dave')).expect(502);
    expect(failedDelete.body).toMatchObject({ error: 'PAYMENT_PROCESSING_FAILED' });

    expect((await methods('dave')).map((c) => [c.id, c.isDefault])).toEqual([
      [visa.id, true],
      [master.id, false],
    ]);
    fake.clearFaults();
  });
});
