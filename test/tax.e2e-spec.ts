import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { simulatedRate } from '../src/tax/simulated-tax.provider';
import { TAX_CACHE_TTL_MS, TaxService } from '../src/tax/tax.service';
import type { TaxAddress } from '../src/tax/tax.types';
import { startFakeTax, type FakeTax, type FakeTaxMode } from './support/fake-tax-server';
import { createTestApp, type TestApp } from './support/test-app';
import { sleep } from './support/wait';

/*
 * Tax (DESIGN.md section 11, issue 13 items 9, 12, 13, 14) against a fake of the
 * TaxJar-style API over real HTTP, on real Postgres: the cache, the breaker, timeouts,
 * invalid answers, the fallback table, the tax.provider flag, the admin view and the
 * client-side rate limiter.
 */

const HALF_OPEN_MS = 800;
let postal = 10000;
/** A US address no test has used: each test starts with nothing cached for it. */
const freshAddress = (): TaxAddress => ({ country: 'US', region: 'CA', postalCode: String(++postal) });

describe('TaxService with the HTTP provider (fake TaxJar)', () => {
  let t: TestApp;
  let fake: FakeTax;
  let tax: TaxService;
  let admin: string;

  const cachedRows = async (postalCode: string) =>
    (await t.dataSource.query('SELECT provider, rate::text AS rate FROM tax_rates WHERE postal_code = $1', [postalCode])) as {
      provider: string;
      rate: string;
    }[];
  const integrations = async () =>
    (await t.http.get('/v1/admin/integrations').set('Authorization', `Bearer ${admin}`).expect(200)).body.integrations as {
      name: string;
      kind: string;
      breakerState: string;
      lastError: { message: string; at: string } | null;
      window: {
        calls: number;
        successRate: number | null;
        fallbacks: number;
        fallbackRate: number | null;
        outcomes: Record<string, number>;
      };
      quota: { limit: number; used: number; ratio: number } | null;
    }[];
  const taxState = async () => (await integrations()).find((i) => i.name === 'tax')!;
  const setFlag = (body: object) =>
    t.http.put('/v1/admin/flags/tax.provider').set('Authorization', `Bearer ${admin}`).send(body).expect(200);

  beforeAll(async () => {
    fake = await startFakeTax();
    t = await createTestApp({
      env: {
        TAX_API_URL: fake.url,
        TAX_API_KEY: fake.key,
        TAX_TIMEOUT_MS: '300',
        TAX_RETRIES: '0',
        TAX_BREAKER_THRESHOLD: '3',
        TAX_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
        TAX_RATE_LIMIT_PER_SECOND: '1000',
        TAX_RATE_LIMIT_BURST: '1000',
        TAX_FALLBACK_RATES: 'US=0.07,US-NY=0.04,DE=0.19,*=0.2',
      },
    });
    tax = t.app.get(TaxService);
    admin = t.token('tax-admin', ['admin']);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('prices tax from the provider with the documented request, then from the cache without a request', async () => {
    const address = freshAddress();
    fake.setRate(address.postalCode, '0.1025');
    const before = fake.count();
    await expect(tax.quote(address, 10_000, 'USD')).resolves.toEqual({
      taxCents: 1025,
      rate: '0.1025',
      estimated: false,
      source: 'provider',
    });
    expect(fake.requests.slice(before)).toEqual([
      expect.objectContaining({
        path: `/v2/rates/${address.postalCode}`,
        country: 'US',
        state: 'CA',
        authorized: true,
        status: 200,
      }),
    ]);
    expect(await cachedRows(address.postalCode)).toEqual([{ provider: 'http', rate: '0.1025' }]);

    // Another subtotal, same place: the cached rate prices it exactly (999 x 0.1025 = 102.3975 -> 102).
    await expect(tax.quote({ ...address, region: 'ca' }, 999, 'USD')).resolves.toEqual({
      taxCents: 102,
      rate: '0.1025',
      estimated: false,
      source: 'cache',
    });
    expect(fake.count()).toBe(before + 1);
  });

  it('rounds half up in the currency minor unit (JPY has none, KWD has three)', async () => {
    const address = freshAddress();
    fake.setRate(address.postalCode, '0.05');
    await expect(tax.quote(address, 10, 'USD')).resolves.toMatchObject({ taxCents: 1, source: 'provider' }); // 0.5 -> 1
    await expect(tax.quote(address, 29, 'JPY')).resolves.toMatchObject({ taxCents: 1, source: 'cache' }); // 1.45 -> 1
    await expect(tax.quote(address, 12_345, 'KWD')).resolves.toMatchObject({ taxCents: 617 }); // 617.25 -> 617
    await expect(tax.quote(address, 0, 'EUR')).resolves.toMatchObject({ taxCents: 0 });
  });

  it('refuses what cannot be taxed with VALIDATION_FAILED, without asking the provider', async () => {
    const before = fake.count();
    await expect(tax.quote({ country: 'USA', postalCode: '1' }, 100, 'USD')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(tax.quote(freshAddress(), -1, 'USD')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(tax.quote(freshAddress(), 1.5, 'USD')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(tax.quote(freshAddress(), 100, 'XYZ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(fake.count()).toBe(before);
  });

  it('asks the provider again once the cached rate is 24 h old', async () => {
    const address = freshAddress();
    await tax.quote(address, 1000, 'USD');
    const before = fake.count();
    t.clock.advance(TAX_CACHE_TTL_MS - 60_000);
    try {
      await expect(tax.quote(address, 1000, 'USD')).resolves.toMatchObject({ source: 'cache' });
      expect(fake.count()).toBe(before);
      fake.setRate(address.postalCode, '0.09');
      t.clock.advance(120_000);
      await expect(tax.quote(address, 1000, 'USD')).resolves.toEqual({
        taxCents: 90,
        rate: '0.09',
        estimated: false,
        source: 'provider',
      });
      expect(fake.count()).toBe(before + 1);
    } finally {
      t.clock.reset();
    }
  });

  it('treats invalid answers (negative, NaN, text, above 1, missing fields, malformed JSON) as failures: fallback rate, estimated, nothing cached', async () => {
    const bad: FakeTaxMode[] = ['negative', 'nan', 'text', 'above_one', 'missing', 'no_rate', 'malformed'];
    for (const mode of bad) {
      const address = freshAddress();
      fake.mode(mode);
      const quote = await tax.quote(address, 10_000, 'USD');
      expect({ mode, quote }).toEqual({ mode, quote: { taxCents: 700, rate: '0.07', estimated: true, source: 'fallback' } });
      expect(await cachedRows(address.postalCode)).toEqual([]);
      expect((await taxState()).lastError?.message).toMatch(
        /TaxProviderError: the tax API answered (no valid rate|malformed JSON)/,
      );
      // A good answer in between keeps the breaker (3 consecutive failures) closed.
      fake.mode('ok');
      await expect(tax.quote(freshAddress(), 100, 'USD')).resolves.toMatchObject({ source: 'provider' });
    }
    const state = await taxState();
    expect(state.breakerState).toBe('closed');
    expect(state.window.fallbacks).toBeGreaterThanOrEqual(bad.length);
    expect(state.window.outcomes.failure).toBeGreaterThanOrEqual(bad.length);
  });

  it('uses the fallback table by region, then country, then the default', async () => {
    fake.mode('error', { status: 500 });
    try {
      await expect(tax.quote({ country: 'US', region: 'NY', postalCode: '10001' }, 10_000, 'USD')).resolves.toMatchObject({
        rate: '0.04',
        source: 'fallback',
      });
      await expect(tax.quote({ country: 'DE', postalCode: '10115' }, 10_000, 'EUR')).resolves.toMatchObject({
        taxCents: 1900,
        rate: '0.19',
        estimated: true,
      });
    } finally {
      fake.mode('ok');
      await tax.quote(freshAddress(), 100, 'USD'); // resets the consecutive failures
    }
    await expect(tax.quote({ country: 'JP', postalCode: '100-0001' }, 10_000, 'JPY')).resolves.toMatchObject({
      source: 'provider',
    });
  });

  it('serves a cached rate past its 24 h, marked estimated, when the provider fails', async () => {
    const address = freshAddress();
    fake.setRate(address.postalCode, '0.0925');
    await tax.quote(address, 100, 'USD');
    t.clock.advance(TAX_CACHE_TTL_MS + 3_600_000);
    fake.mode('error');
    try {
      await expect(tax.quote(address, 10_000, 'USD')).resolves.toEqual({
        taxCents: 925,
        rate: '0.0925',
        estimated: true,
        source: 'cache',
      });
    } finally {
      t.clock.reset();
      fake.mode('ok');
      await tax.quote(freshAddress(), 100, 'USD');
    }
  });

  it('gives up on a provider slower than TAX_TIMEOUT_MS and prices with the fallback', async () => {
    fake.mode('slow', { delayMs: 2_000 });
    try {
      await expect(tax.quote(freshAddress(), 10_000, 'USD')).resolves.toMatchObject({ source: 'fallback', estimated: true });
      const state = await taxState();
      expect(state.lastError?.message).toMatch(/IntegrationTimeoutError: tax did not answer within 300 ms/);
      expect(state.window.outcomes.timeout).toBeGreaterThanOrEqual(1);
    } finally {
      fake.mode('ok');
      await tax.quote(freshAddress(), 100, 'USD');
    }
  });

  it('falls back when the provider refuses connections', async () => {
    await fake.down();
    try {
      await expect(tax.quote(freshAddress(), 10_000, 'USD')).resolves.toMatchObject({ source: 'fallback' });
      expect((await taxState()).lastError?.message).toMatch(/unreachable/);
    } finally {
      await fake.up();
      await tax.quote(freshAddress(), 100, 'USD');
    }
  });

  it('opens the breaker after 3 consecutive failures, then fails fast without calling the provider; half-open recovers', async () => {
    fake.mode('error', { status: 503 });
    const before = fake.count();
    for (let i = 0; i < 3; i++)
      await expect(tax.quote(freshAddress(), 100, 'USD')).resolves.toMatchObject({ source: 'fallback' });
    expect(fake.count()).toBe(before + 3);
    expect((await taxState()).breakerState).toBe('open');
    const metrics = await t.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(/^integration_breaker_open\{integration="tax"\} 1$/m);
    expect(metrics).toMatch(/^integration_breaker_trips_total\{integration="tax"\} [1-9]/m);

    fake.mode('ok'); // back, but the breaker does not know yet
    for (let i = 0; i < 5; i++)
      await expect(tax.quote(freshAddress(), 100, 'USD')).resolves.toMatchObject({ source: 'fallback' });
    expect(fake.count()).toBe(before + 3);
    expect((await taxState()).window.outcomes.breaker_open).toBeGreaterThanOrEqual(5);

    await sleep(HALF_OPEN_MS + 100);
    expect((await taxState()).breakerState).toBe('half_open');
    await expect(tax.quote(freshAddress(), 10_000, 'USD')).resolves.toMatchObject({ source: 'provider', estimated: false });
    expect(fake.count()).toBe(before + 4);
    expect((await taxState()).breakerState).toBe('closed');
    expect(await t.app.get(MetricsRegistry).metrics()).toMatch(/^integration_breaker_open\{integration="tax"\} 0$/m);
  });

  it('switches adapters at run time with the tax.provider flag (simulated, http, off)', async () => {
    try {
      await setFlag({ enabled: true, variant: 'simulated' });
      const before = fake.count();
      const address = freshAddress();
      const expected = simulatedRate({ country: 'US', region: 'CA', postalCode: address.postalCode });
      await expect(tax.quote(address, 10_000, 'USD')).resolves.toMatchObject({ rate: expected, source: 'provider' });
      expect(fake.count()).toBe(before);
      expect(await cachedRows(address.postalCode)).toEqual([{ provider: 'simulated', rate: expected }]);

      // Back to http: the simulated rate is not the real provider's, so it is asked.
      await setFlag({ enabled: true, variant: 'http' });
      fake.setRate(address.postalCode, '0.1');
      await expect(tax.quote(address, 10_000, 'USD')).resolves.toMatchObject({ rate: '0.1', source: 'provider' });
      expect(fake.count()).toBe(before + 1);

      // Off: no provider is asked; cached rates still serve, otherwise the fallback table.
      await setFlag({ enabled: false });
      await expect(tax.quote(address, 10_000, 'USD')).resolves.toMatchObject({ rate: '0.1', source: 'cache', estimated: false });
      await expect(tax.quote(freshAddress(), 10_000, 'USD')).resolves.toMatchObject({ rate: '0.07', source: 'fallback' });
      expect(fake.count()).toBe(before + 1);
    } finally {
      await setFlag({ enabled: true, variant: null });
    }
  });

  it('shows each integration on GET /v1/admin/integrations (admins only), with quota and fallback rate', async () => {
    await t.http
      .get('/v1/admin/integrations')
      .set('Authorization', `Bearer ${t.token('not-admin')}`)
      .expect(403);
    const list = await integrations();
    expect(list.map((i) => i.name)).toEqual(['customer_verification', 'fleet', 'ims', 'tax', 'tax_simulated', 'telematics']); // carriers appear once asked
    const state = list.find((i) => i.name === 'tax')!;
    expect(state).toMatchObject({ kind: 'tax', breakerState: 'closed', quota: { limit: 10000 } });
    expect(state.lastError).toEqual({ message: expect.any(String), at: expect.any(String) });
    expect(state.window.calls).toBeGreaterThan(10);
    expect(state.window.successRate).toBeGreaterThan(0);
    expect(state.window.successRate).toBeLessThan(1);
    expect(state.window.fallbackRate).toBeGreaterThan(0);
    // Requests sent today (UTC, on the app's clock, which earlier tests moved across days), on this replica.
    const usedBefore = state.quota!.used;
    await tax.quote(freshAddress(), 100, 'USD');
    await tax.quote(freshAddress(), 100, 'USD');
    const quota = (await taxState()).quota!;
    expect(quota.used).toBe(usedBefore + 2);
    const metrics = await t.app.get(MetricsRegistry).metrics();
    const ratio = Number(/^integration_quota_used_ratio\{integration="tax"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(ratio).toBeCloseTo(quota.used / 10000, 6);
    expect(ratio).toBeGreaterThan(0);
    expect(metrics).toMatch(/^integration_requests_total\{integration="tax",outcome="success"\} [1-9]/m);
    expect(metrics).toMatch(/^integration_fallbacks_total\{integration="tax"\} [1-9]/m);
    expect(metrics).toMatch(/^integration_request_duration_seconds_count\{integration="tax"\} [1-9]/m);
  });
});

describe('the tax rate limiter against the fake', () => {
  const PER_SECOND = 5;
  const BURST = 2;
  let t: TestApp;
  let fake: FakeTax;

  beforeAll(async () => {
    fake = await startFakeTax();
    t = await createTestApp({
      env: {
        TAX_API_URL: fake.url,
        TAX_API_KEY: fake.key,
        TAX_RETRIES: '0',
        TAX_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
        TAX_RATE_LIMIT_BURST: String(BURST),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('never sends more than burst + rate per second, queueing briefly and falling back beyond', async () => {
    const tax = t.app.get(TaxService);
    // A burst of 12 at once: 2 go now, those that can wait up to 500 ms for a token queue, the rest fall back.
    const burst = await Promise.all(Array.from({ length: 12 }, () => tax.quote(freshAddress(), 1000, 'USD')));
    const sent = burst.filter((q) => q.source === 'provider').length;
    expect(sent).toBeGreaterThanOrEqual(BURST);
    expect(sent).toBeLessThan(12);
    expect(burst.filter((q) => q.source === 'fallback').length).toBe(12 - sent);
    expect(fake.count()).toBe(sent);

    // A steady stream, one after the other: every one waits for its token and none is refused.
    for (let i = 0; i < 8; i++)
      await expect(tax.quote(freshAddress(), 1000, 'USD')).resolves.toMatchObject({ source: 'provider' });

    // No one-second window saw more than the bucket allows.
    const arrivals = fake.requests.map((r) => r.at);
    for (const start of arrivals) {
      const inWindow = arrivals.filter((at) => at >= start && at < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(BURST + PER_SECOND);
    }
    const metrics = await t.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(/^integration_requests_total\{integration="tax",outcome="rate_limited"\} [1-9]/m);
  });
});
