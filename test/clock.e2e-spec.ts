import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const WEBHOOK_SECRET = 'whsec_clock_test_secret';
const HOUR_MS = 3_600_000;
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

/**
 * The decisions the app's clock makes (libs/clock): each test moves `t.clock` instead of
 * waiting, and the outcome follows the moved time. (What PostgreSQL's now() decides, a
 * hold's expiry, is moved by back-dating rows: test/reservations.e2e-spec.ts.)
 */
describe("the app's clock decides", () => {
  let t: TestApp;
  const as = (sub: string) => ({ Authorization: `Bearer ${t.token(sub)}` });
  const hold = (sub: string, body: object, key: string = randomUUID()) =>
    t.http.post('/v1/reservations/hold').set(as(sub)).set('X-Idempotency-Key', key).send(body);

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        PAYMENT_PROVIDER: 'simulated',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        IDEMPOTENCY_TTL_SECONDS: '600',
        RATE_LIMIT_HOLD_PER_MINUTE: '2',
      },
    });
  });
  afterEach(() => t.clock.reset());
  afterAll(async () => {
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t.close();
  });

  it('early-bird pricing: the same slot, asked for later by the clock, no longer gets the discount', async () => {
    const offering = await createOffering(t.dataSource, {
      kind: 'experience',
      basePriceCents: 10000,
      pricingRules: { earlyBird: { minDaysBefore: 1, percentOff: 10, type: 'early_bird' } },
    });
    // Starts a day and a half hour from now: a day ahead now, less than a day 45 minutes later.
    const slot = await createSlot(t.dataSource, offering.id, { startsAt: new Date(Date.now() + 24.5 * HOUR_MS) });
    const body = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };

    const early = await hold('eve', body).expect(200);
    expect(early.body.reservation).toMatchObject({ totalPrice: 9000, discountApplied: 1000 });
    t.clock.advance(0.75 * HOUR_MS);
    const late = await hold('eve', body).expect(200);
    expect(late.body.reservation).toMatchObject({ totalPrice: 10000, discountApplied: 0 });
    // The hold's time is counted from the moved clock too.
    expect(new Date(late.body.reservation.holdExpiresAt).getTime()).toBeGreaterThan(t.clock.nowMs() + 14 * 60_000);
  });

  it('idempotency: a key replays until it expires by the clock, then runs afresh', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    const body = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };
    const key = randomUUID();

    const first = await hold('ida', body, key).expect(200);
    const replay = await hold('ida', body, key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.reservation.id).toBe(first.body.reservation.id);

    t.clock.advance((t.config.IDEMPOTENCY_TTL_SECONDS + 1) * 1000);
    const afresh = await hold('ida', body, key).expect(200);
    expect(afresh.headers['idempotent-replayed']).toBeUndefined();
    expect(afresh.body.reservation.id).not.toBe(first.body.reservation.id);
  });

  it("rate limiting: a caller's window ends by the clock", async () => {
    const refused = async () => (await hold('rita', {})).status;
    expect(await refused()).not.toBe(429);
    expect(await refused()).not.toBe(429);
    const limited = await hold('rita', {});
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('RATE_LIMITED');
    t.clock.advance(61_000);
    expect(await refused()).not.toBe(429);
  });

  it('webhook tolerance: a delivery signed now is too old 10 minutes later by the clock, and one signed then is fine', async () => {
    const stripe = new Stripe('sk_test_x');
    const deliver = (timestamp: number) => {
      const body = JSON.stringify({
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        created: timestamp,
        data: { object: { id: 'cus_clock', object: 'customer' } },
        type: 'customer.created',
      });
      const signature = stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET, timestamp });
      return t.http
        .post('/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(body);
    };
    const realNow = Math.floor(Date.now() / 1000);
    expect((await deliver(realNow)).status).toBe(200);

    t.clock.advance(10 * 60_000);
    const stale = await deliver(realNow);
    expect(stale.status).toBe(400);
    expect(stale.body.error).toBe('VALIDATION_FAILED');
    expect((await deliver(t.clock.nowSeconds())).status).toBe(200);
  });

  it('bearer tokens: one valid by the system clock is expired once the clock passes its exp', async () => {
    const me = () => t.http.get('/v1/reservations').set(as('tom'));
    await me().expect(200);
    t.clock.advance(2 * HOUR_MS); // t.token() lives an hour
    const expired = await me();
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('UNAUTHORIZED');
  });
});
