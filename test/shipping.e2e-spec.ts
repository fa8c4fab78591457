import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppError } from '@holdfast/errors';
import { FlagsService } from '../src/flags/flags.service';
import { LoggingCarrierObserver } from '../src/shipping/carrier-call-observer';
import { ShippingService, SHIPPING_RATE_TTL_MS } from '../src/shipping/shipping.service';
import type { ShippingAddress, ShippingQuote } from '../src/shipping/shipping.types';
import { startFakeCarriers, type FakeCarriers } from './support/fake-carriers';
import { createTestApp, type TestApp } from './support/test-app';

const ADDRESS: ShippingAddress = {
  name: 'Ann Example',
  line1: '1600 Amphitheatre Parkway',
  city: 'Mountain View',
  region: 'CA',
  postalCode: '94043',
  country: 'US',
};

const KEYS = { fedex: 'fedex-key-0123', ups: 'ups-key-0123', usps: 'usps-key-0123' };

/** The AppError `promise` rejects with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

/** The quote and how long it took, in ms. */
async function timed(fn: () => Promise<ShippingQuote>): Promise<{ quote: ShippingQuote; ms: number }> {
  const started = performance.now();
  const quote = await fn();
  return { quote, ms: performance.now() - started };
}

describe('shipping quotes through the HTTP carriers (fake carriers on real HTTP, real Postgres)', () => {
  let fake: FakeCarriers;
  let t: TestApp;
  let shipping: ShippingService;
  let observer: LoggingCarrierObserver;

  beforeAll(async () => {
    fake = await startFakeCarriers({
      fedex: { key: KEYS.fedex, base: 900 },
      ups: {
        key: KEYS.ups,
        rates: (r) => [
          { service: 'ground', amountCents: 700, currency: r.currency, estimatedDays: 5 },
          { service: '2-day', amountCents: 1500, currency: r.currency, estimatedDays: 2 },
        ],
      },
      usps: { key: KEYS.usps, base: 400 },
    });
    t = await createTestApp({
      env: {
        SHIPPING_PROVIDER: 'http',
        SHIPPING_CARRIERS: ['fedex', 'ups', 'usps'].map((name) => `${name}|${fake.baseUrl(name)}`).join(','),
        SHIPPING_CARRIER_API_KEY: Object.entries(KEYS)
          .map(([name, key]) => `${name}=${key}`)
          .join(','),
        // SHIPPING_QUOTE_TIMEOUT_MS: the default, 3000
      },
    });
    shipping = t.app.get(ShippingService);
    observer = t.app.get(LoggingCarrierObserver);
  });

  afterEach(() => {
    fake.reset();
    t.clock.reset();
  });

  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('asks every carrier with its key and only what rating needs, and answers all rates cheapest first', async () => {
    const reservationId = randomUUID();
    const quote = await shipping.quote(ADDRESS, 1200, 'USD', reservationId);

    expect(quote.fallback).toBe(false);
    expect(quote.rates.map((r) => [r.carrier, r.service, r.amount])).toEqual([
      ['usps', 'ground', 520],
      ['ups', 'ground', 700],
      ['fedex', 'ground', 1020],
      ['ups', '2-day', 1500],
    ]);
    for (const rate of quote.rates) {
      expect(rate).toEqual({
        rateId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        carrier: rate.carrier,
        service: rate.service,
        amount: rate.amount,
        currency: 'USD',
        estimatedDays: expect.any(Number),
      });
    }
    expect(new Set(quote.rates.map((r) => r.rateId)).size).toBe(4);
    expect(quote.expiresAt.getTime() - t.clock.nowMs()).toBeGreaterThan(SHIPPING_RATE_TTL_MS - 60_000);

    for (const [name, key] of Object.entries(KEYS)) {
      const [request] = fake.requests(name);
      expect(request).toMatchObject({ method: 'POST', path: '/rates', authorization: `Bearer ${key}`, status: 200 });
      // The recipient's name and street never leave us.
      expect(request.body).toEqual({
        shipTo: { country: 'US', region: 'CA', postalCode: '94043', city: 'Mountain View' },
        weightGrams: 1200,
        currency: 'USD',
      });
    }
  });

  it('asks the carriers in parallel: three answering in 1.2 s each take about 1.2 s, not 3.6 s', async () => {
    for (const name of ['fedex', 'ups', 'usps']) fake.set(name, { kind: 'ok', delayMs: 1200 });
    const { quote, ms } = await timed(() => shipping.quote(ADDRESS, 500, 'USD', randomUUID()));
    expect(quote.fallback).toBe(false);
    expect(new Set(quote.rates.map((r) => r.carrier))).toEqual(new Set(['fedex', 'ups', 'usps']));
    expect(ms).toBeGreaterThanOrEqual(1150);
    expect(ms).toBeLessThan(3400); // three carriers one after the other would take 3.6 s
  });

  it("answers after the timeout with the other carriers' rates when one is slow, and cuts the slow call off", async () => {
    fake.set('fedex', { kind: 'slow', delayMs: 10_000 });
    const before = observer.snapshot().carriers.fedex?.timedOut ?? 0;
    const { quote, ms } = await timed(() => shipping.quote(ADDRESS, 500, 'USD', randomUUID()));
    expect(quote.fallback).toBe(false);
    expect(quote.rates.map((r) => r.carrier).sort()).toEqual(['ups', 'ups', 'usps']);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(4500);
    expect(observer.snapshot().carriers.fedex.timedOut).toBe(before + 1);
    expect(fake.requests('fedex')).toHaveLength(1);
    // Each carrier is an integration of its own: its timeout shows on the admin view.
    const admin = { Authorization: `Bearer ${t.token('ada', ['admin'])}` };
    const { integrations } = (await t.http.get('/v1/admin/integrations').set(admin).expect(200)).body as {
      integrations: { name: string; kind: string; window: { outcomes: Record<string, number> } }[];
    };
    const fedex = integrations.find((i) => i.name === 'carrier_fedex');
    expect(fedex).toMatchObject({ kind: 'shipping' });
    expect(fedex!.window.outcomes.timeout).toBeGreaterThanOrEqual(1);
  });

  it('answers the flat-rate table with fallback: true when every carrier times out', async () => {
    for (const name of ['fedex', 'ups', 'usps']) fake.set(name, { kind: 'slow', delayMs: 10_000 });
    const fallbacks = observer.snapshot().fallbacks;
    const reservationId = randomUUID();
    const { quote, ms } = await timed(() => shipping.quote(ADDRESS, 500, 'EUR', reservationId));
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(4500);
    expect(quote.fallback).toBe(true);
    expect(quote.rates.map((r) => [r.carrier, r.service, r.amount, r.currency, r.estimatedDays])).toEqual([
      ['flat-rate', 'standard', 690, 'EUR', 5],
      ['flat-rate', 'express', 1490, 'EUR', 2],
    ]);
    expect(observer.snapshot().fallbacks).toBe(fallbacks + 1);
    // A fallback rate is a rate like any other: stored, and taken.
    const taken = await shipping.takeRate(quote.rates[0].rateId, reservationId);
    expect(taken).toMatchObject({ carrier: 'flat-rate', amount: 690, fallback: true, weightGrams: 500 });
  });

  it('ignores a carrier that is down, answers 500, malformed JSON, or wrong values, and falls back when none is left', async () => {
    fake.set('fedex', { kind: 'down' });
    fake.set('ups', { kind: 'error' });
    fake.set('usps', { kind: 'malformed' });
    const failedBefore = observer.snapshot().carriers;
    const quote = await shipping.quote(ADDRESS, 500, 'USD', randomUUID());
    expect(quote.fallback).toBe(true);
    expect(quote.rates.map((r) => r.carrier)).toEqual(['flat-rate', 'flat-rate']);
    for (const name of ['fedex', 'ups', 'usps']) {
      expect(observer.snapshot().carriers[name].failed).toBe((failedBefore[name]?.failed ?? 0) + 1);
    }
    expect(observer.snapshot().carriers.ups.lastError).toContain('HTTP 500');
    expect(observer.snapshot().carriers.usps.lastError).toContain('malformed JSON');
  });

  it.each([
    ['a negative amount', { service: 'ground', amountCents: -100, currency: 'USD', estimatedDays: 3 }],
    ['a fractional amount', { service: 'ground', amountCents: 12.5, currency: 'USD', estimatedDays: 3 }],
    ['an amount as a string', { service: 'ground', amountCents: '1250', currency: 'USD', estimatedDays: 3 }],
    ['another currency than asked', { service: 'ground', amountCents: 1250, currency: 'EUR', estimatedDays: 3 }],
    ['a currency that is none', { service: 'ground', amountCents: 1250, currency: 'ZZZ', estimatedDays: 3 }],
    ['a missing service', { amountCents: 1250, currency: 'USD', estimatedDays: 3 }],
    ['a missing estimate', { service: 'ground', amountCents: 1250, currency: 'USD' }],
    ['an unknown field', { service: 'ground', amountCents: 1250, currency: 'USD', estimatedDays: 3, discount: 5 }],
  ])('ignores the whole answer of a carrier that sends %s', async (_what, bad) => {
    fake.set('fedex', {
      kind: 'body',
      body: { rates: [{ service: 'express', amountCents: 100, currency: 'USD', estimatedDays: 1 }, bad] },
    });
    const quote = await shipping.quote(ADDRESS, 500, 'USD', randomUUID());
    expect(quote.fallback).toBe(false);
    expect(quote.rates.map((r) => r.carrier)).not.toContain('fedex');
    expect(quote.rates.map((r) => r.carrier).sort()).toEqual(['ups', 'ups', 'usps']);
  });

  it('ignores answers that are not a rates object', async () => {
    for (const body of [null, [], { rates: 'none' }, { rates: [], extra: true }, { data: [] }]) {
      fake.set('fedex', { kind: 'body', body });
      const quote = await shipping.quote(ADDRESS, 500, 'USD', randomUUID());
      expect(quote.rates.map((r) => r.carrier)).not.toContain('fedex');
    }
  });

  it('stops asking a carrier whose flag is turned off, at run time, and asks it again once it is back on', async () => {
    const flags = t.app.get(FlagsService);
    await flags.set('shipping.carrier.ups', { enabled: false }, 'admin-test');
    try {
      const quote = await shipping.quote(ADDRESS, 500, 'USD', randomUUID());
      expect(quote.rates.map((r) => r.carrier).sort()).toEqual(['fedex', 'usps']);
      expect(fake.requests('ups')).toHaveLength(0);
    } finally {
      await flags.set('shipping.carrier.ups', { enabled: true }, 'admin-test');
    }
    const quote = await shipping.quote(ADDRESS, 500, 'USD', randomUUID());
    expect(quote.rates.map((r) => r.carrier)).toContain('ups');
    expect(fake.requests('ups')).toHaveLength(1);
  });

  it('falls back at once when every carrier is turned off, asking none', async () => {
    const flags = t.app.get(FlagsService);
    for (const name of ['fedex', 'ups', 'usps']) await flags.set(`shipping.carrier.${name}`, { enabled: false }, 'admin-test');
    try {
      const { quote, ms } = await timed(() => shipping.quote(ADDRESS, 500, 'GBP', randomUUID()));
      expect(quote.fallback).toBe(true);
      expect(quote.rates.map((r) => [r.service, r.amount])).toEqual([
        ['standard', 590],
        ['express', 1290],
      ]);
      expect(ms).toBeLessThan(1000);
      for (const name of ['fedex', 'ups', 'usps']) expect(fake.requests(name)).toHaveLength(0);
    } finally {
      for (const name of ['fedex', 'ups', 'usps']) await flags.set(`shipping.carrier.${name}`, { enabled: true }, 'admin-test');
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE when it must fall back and the table has no rate in the currency', async () => {
    for (const name of ['fedex', 'ups', 'usps']) fake.set(name, { kind: 'error' });
    const error = await rejection(shipping.quote(ADDRESS, 500, 'JPY', randomUUID()));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('keeps a rate 15 minutes on the app clock: takeRate answers it until then, SHIPPING_RATE_EXPIRED after', async () => {
    const reservationId = randomUUID();
    const quote = await shipping.quote({ ...ADDRESS, line2: 'Building 4' }, 2500, 'USD', reservationId);
    const cheapest = quote.rates[0];

    const taken = await shipping.takeRate(cheapest.rateId, reservationId);
    expect(taken).toMatchObject({
      ...cheapest,
      reservationId,
      fallback: false,
      weightGrams: 2500,
      address: { ...ADDRESS, line2: 'Building 4' },
    });
    expect(taken.expiresAt.getTime() - taken.quotedAt.getTime()).toBe(SHIPPING_RATE_TTL_MS);

    t.clock.advance(SHIPPING_RATE_TTL_MS - 5_000);
    await expect(shipping.takeRate(cheapest.rateId, reservationId)).resolves.toMatchObject({ rateId: cheapest.rateId });

    t.clock.advance(10_000);
    const error = await rejection(shipping.takeRate(cheapest.rateId, reservationId));
    expect(error.code).toBe('SHIPPING_RATE_EXPIRED');
    expect(error.status).toBe(409);
  });

  it('refuses a rate quoted for another reservation, an unknown rate and a rate id that is no UUID, as not found', async () => {
    const mine = randomUUID();
    const quote = await shipping.quote(ADDRESS, 500, 'USD', mine);
    for (const [rateId, reservationId] of [
      [quote.rates[0].rateId, randomUUID()],
      [randomUUID(), mine],
      ['not-a-uuid', mine],
    ]) {
      const error = await rejection(shipping.takeRate(rateId, reservationId));
      expect(error.code).toBe('NOT_FOUND');
    }
  });

  it("drops a reservation's expired rates when it is quoted again, keeping the live ones", async () => {
    const reservationId = randomUUID();
    const first = await shipping.quote(ADDRESS, 500, 'USD', reservationId);
    t.clock.advance(SHIPPING_RATE_TTL_MS + 1_000);
    const second = await shipping.quote(ADDRESS, 500, 'USD', reservationId);
    const [{ count }] = await t.dataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM shipping_rates WHERE reservation_id = $1',
      [reservationId],
    );
    expect(count).toBe(second.rates.length);
    expect((await rejection(shipping.takeRate(first.rates[0].rateId, reservationId))).code).toBe('NOT_FOUND');
  });

  it('refuses an invalid address, weight or currency before asking any carrier', async () => {
    const cases: [ShippingAddress, number, string, string][] = [
      [{ ...ADDRESS, country: 'XX' }, 500, 'USD', 'address.country'],
      [{ ...ADDRESS, postalCode: 'ABCDE' }, 500, 'USD', 'address.postalCode'],
      [{ ...ADDRESS, region: undefined }, 500, 'USD', 'address.region'],
      [{ ...ADDRESS, name: 'Ann\u0000' }, 500, 'USD', 'address.name'],
      [ADDRESS, 0, 'USD', 'weightGrams'],
      [ADDRESS, 1.5, 'USD', 'weightGrams'],
      [ADDRESS, 500, 'usd', 'currency'],
    ];
    for (const [address, weight, currency, field] of cases) {
      const error = await rejection(shipping.quote(address, weight, currency, randomUUID()));
      expect([field, error.code]).toEqual([field, 'VALIDATION_FAILED']);
      expect(error.details?.map((d) => d.field)).toContain(field);
    }
    for (const name of ['fedex', 'ups', 'usps']) expect(fake.requests(name)).toHaveLength(0);
  });
});

describe('the fake carriers refuse what a real API refuses', () => {
  let fake: FakeCarriers;
  beforeAll(async () => {
    fake = await startFakeCarriers({ fedex: { key: 'k1' } });
  });
  afterAll(async () => fake.stop());

  it('answers 401 without the key, 415 without JSON, 400 for a body off the contract, 404 elsewhere', async () => {
    const post = (headers: Record<string, string>, body: string, path = '/fedex/rates') =>
      fetch(`${fake.url}${path}`, { method: 'POST', headers, body }).then((r) => r.status);
    const valid = JSON.stringify({ shipTo: { country: 'US', postalCode: '94043', city: 'X' }, weightGrams: 1, currency: 'USD' });
    const json = { 'content-type': 'application/json' };
    expect(await post({ ...json, authorization: 'Bearer k1' }, valid)).toBe(200);
    expect(await post({ ...json, authorization: 'Bearer nope' }, valid)).toBe(401);
    expect(await post({ ...json }, valid)).toBe(401);
    expect(await post({ 'content-type': 'text/plain', authorization: 'Bearer k1' }, valid)).toBe(415);
    const withName = JSON.stringify({ ...JSON.parse(valid), shipTo: { ...JSON.parse(valid).shipTo, name: 'Ann' } });
    expect(await post({ ...json, authorization: 'Bearer k1' }, withName)).toBe(400);
    expect(await post({ ...json, authorization: 'Bearer k1' }, '{')).toBe(400);
    expect(await post({ ...json, authorization: 'Bearer k1' }, valid, '/dhl/rates')).toBe(404);
    expect(fake.requests('fedex')).toHaveLength(6);
  });
});

describe('shipping quotes through the simulated carriers (the development default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SHIPPING_SIMULATED_LATENCY_MS: '20' } });
  });
  afterAll(async () => t?.close());

  it('quotes fedex, ups and usps from weight and distance, the same every time, cheapest first', async () => {
    const shipping = t.app.get(ShippingService);
    const first = await shipping.quote(ADDRESS, 1200, 'USD', randomUUID());
    const again = await shipping.quote(ADDRESS, 1200, 'USD', randomUUID());
    expect(first.fallback).toBe(false);
    expect(new Set(first.rates.map((r) => r.carrier))).toEqual(new Set(['fedex', 'ups', 'usps']));
    expect(first.rates).toHaveLength(6);
    const amounts = first.rates.map((r) => r.amount);
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
    expect(again.rates.map((r) => [r.carrier, r.service, r.amount])).toEqual(
      first.rates.map((r) => [r.carrier, r.service, r.amount]),
    );
    const heavier = await shipping.quote(ADDRESS, 5000, 'USD', randomUUID());
    const farther = await shipping.quote(
      { ...ADDRESS, region: undefined, country: 'DE', postalCode: '10115' },
      1200,
      'USD',
      randomUUID(),
    );
    expect(Math.min(...heavier.rates.map((r) => r.amount))).toBeGreaterThan(Math.min(...amounts));
    expect(Math.min(...farther.rates.map((r) => r.amount))).toBeGreaterThan(Math.min(...amounts));
    // JPY has no minor unit: the same figure, in whole yen.
    const yen = await shipping.quote(ADDRESS, 1200, 'JPY', randomUUID());
    yen.rates.forEach((rate, i) => expect(Math.abs(rate.amount - amounts[i] / 100)).toBeLessThanOrEqual(1));
    expect(yen.rates.every((r) => r.currency === 'JPY' && Number.isInteger(r.amount))).toBe(true);
  });
});
