import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerVerificationPurgeJob } from '../src/customers/customer-verification-purge.job';
import { NOT_VERIFIED_RECHECK_MS, VERIFICATION_CACHE_TTL_MS } from '../src/customers/customer-verification.service';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { customerToken } from './support/customer-tokens';
import { CustomerVerificationProbeModule } from './support/customer-verification-probe.module';
import { startFakeCustomers, type FakeCustomerProfile, type FakeCustomers } from './support/fake-customers';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Customer verification (DESIGN.md section 12, issue 14 item 2) through our real HTTP
 * adapter against a fake Customer Management Service, on real Postgres: the request, the
 * 24 h cache (counted requests), the rules, outages (down, slow, wrong answers) with and
 * without a cached result, and users kept apart. `/v1/test-customers/require-verified` is
 * `requireVerified` behind a route, as a vehicle hold will call it.
 */

const VERIFIED: FakeCustomerProfile = { kycStatus: 'approved', drivingLicenseValid: true, creditScore: 720 };
let serial = 0;
/** A customer id no test has used: nothing cached for it. */
const freshId = (label = 'cust') => `${label}-${++serial}-${Date.now().toString(36)}`;

describe('customer verification with the HTTP adapter (fake Customer Management Service)', () => {
  let t: TestApp;
  let fake: FakeCustomers;

  /** A customer with a profile at the fake, and a token carrying its id. */
  const customer = (profile: FakeCustomerProfile | null = VERIFIED, label?: string) => {
    const id = freshId(label);
    if (profile) fake.setProfile(id, profile);
    return { id, token: customerToken(`user-of-${id}`, id) };
  };
  const mine = (token: string) => t.http.get('/v1/customers/me/verification').set('Authorization', `Bearer ${token}`);
  const requireVerified = (token: string) =>
    t.http.get('/v1/test-customers/require-verified').set('Authorization', `Bearer ${token}`);
  const cachedRows = async (customerId: string) =>
    (await t.dataSource.query(
      `SELECT source, kyc_status AS "kycStatus", driving_license_valid AS "licence", credit_score AS "creditScore"
         FROM customer_verifications WHERE customer_id = $1`,
      [customerId],
    )) as { source: string; kycStatus: string; licence: boolean; creditScore: number | null }[];
  const integration = async () => {
    const res = await t.http
      .get('/v1/admin/integrations')
      .set('Authorization', `Bearer ${t.token('cms-admin', ['admin'])}`)
      .expect(200);
    return (
      res.body.integrations as { name: string; kind: string; window: { outcomes: Record<string, number>; fallbacks: number } }[]
    ).find((i) => i.name === 'customer_verification')!;
  };
  /** Moves the app's clock for `fn`, then back. */
  const later = async (ms: number, fn: () => Promise<void>) => {
    t.clock.advance(ms);
    try {
      await fn();
    } finally {
      t.clock.reset();
    }
  };

  beforeAll(async () => {
    fake = await startFakeCustomers();
    t = await createTestApp({
      env: {
        CUSTOMERS_MODE: 'http',
        CUSTOMER_SERVICE_URL: fake.url,
        CUSTOMER_SERVICE_API_KEY: fake.apiKey,
        // The breaker has its own suite (customers-breaker); here every failure reaches the fake.
        CUSTOMER_SERVICE_BREAKER_THRESHOLD: '1000',
      },
      imports: [CustomerVerificationProbeModule],
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it("asks the service once for the token's custom:customerId, then answers from the cache without a request", async () => {
    const { id, token } = customer();
    const first = await mine(token).expect(200);
    expect(first.body).toEqual({
      customerId: id,
      verified: true,
      reasons: [],
      kycStatus: 'approved',
      drivingLicenseValid: true,
      creditSufficient: true,
      checkedAt: expect.any(String),
      source: 'service',
    });
    expect(first.body).not.toHaveProperty('creditScore'); // the app sees whether it is enough, never the score
    expect(fake.requests.filter((r) => r.customerId === id)).toEqual([
      expect.objectContaining({ method: 'GET', path: `/cms/customers/${id}`, authorized: true, status: 200 }),
    ]);
    expect(await cachedRows(id)).toEqual([{ source: 'http', kycStatus: 'approved', licence: true, creditScore: 720 }]);

    const second = await mine(token).expect(200);
    expect(second.body).toMatchObject({ customerId: id, verified: true, source: 'cache', checkedAt: first.body.checkedAt });
    await requireVerified(token).expect(200, { customerId: id, source: 'cache' });
    expect(fake.count(id)).toBe(1);
  });

  it('uses the token’s sub when the identity provider sets no custom:customerId', async () => {
    const sub = freshId('sub-only');
    fake.setProfile(sub, VERIFIED);
    const res = await mine(customerToken(sub)).expect(200);
    expect(res.body).toMatchObject({ customerId: sub, verified: true });
    expect(fake.count(sub)).toBe(1);
  });

  it('refreshes a verified result once it is 24 h old, and applies the new answer', async () => {
    const { id, token } = customer();
    await mine(token).expect(200);
    await later(VERIFICATION_CACHE_TTL_MS - 60_000, async () => {
      await mine(token)
        .expect(200)
        .expect((res) => expect(res.body.source).toBe('cache'));
      expect(fake.count(id)).toBe(1);
    });
    fake.setProfile(id, { ...VERIFIED, drivingLicenseValid: false });
    await later(VERIFICATION_CACHE_TTL_MS + 60_000, async () => {
      const res = await mine(token).expect(200);
      expect(res.body).toMatchObject({ verified: false, reasons: ['licence'], drivingLicenseValid: false, source: 'service' });
      expect(fake.count(id)).toBe(2);
    });
    expect(await cachedRows(id)).toEqual([expect.objectContaining({ licence: false })]);
  });

  it('answers 403 CUSTOMER_NOT_VERIFIED naming each failed check, and 200 on the route with the same reasons', async () => {
    const cases: [FakeCustomerProfile, string[], RegExp][] = [
      [{ ...VERIFIED, kycStatus: 'pending' }, ['kyc'], /KYC\) is pending/],
      [{ ...VERIFIED, kycStatus: 'rejected' }, ['kyc'], /KYC\) is rejected/],
      [{ ...VERIFIED, drivingLicenseValid: false }, ['licence'], /driving licence is not valid/],
      [{ ...VERIFIED, creditScore: 599 }, ['credit'], /credit check did not pass/],
      [
        { kycStatus: 'rejected', drivingLicenseValid: false, creditScore: 10 },
        ['kyc', 'licence', 'credit'],
        /rejected.*licence.*credit/,
      ],
    ];
    for (const [profile, reasons, message] of cases) {
      const { id, token } = customer(profile);
      const refused = await requireVerified(token).expect(403);
      expect(refused.body).toEqual({
        error: 'CUSTOMER_NOT_VERIFIED',
        message: expect.stringMatching(message),
        details: reasons.map((field) => ({ field, message: expect.any(String) })),
        requestId: expect.any(String),
      });
      expect(refused.body.message).not.toContain(String(profile.creditScore)); // never the score
      const shown = await mine(token).expect(200);
      expect(shown.body).toMatchObject({
        customerId: id,
        verified: false,
        reasons,
        creditSufficient: !reasons.includes('credit'),
      });
    }
    // The minimum itself passes (MIN_CREDIT_SCORE 600 by default).
    await requireVerified(customer({ ...VERIFIED, creditScore: 600 }).token).expect(200);
  });

  it('treats a customer the service does not know (404) as passing no check, not as an outage', async () => {
    const before = (await integration()).window.outcomes;
    const { id, token } = customer(null);
    const res = await mine(token).expect(200);
    expect(res.body).toMatchObject({ verified: false, reasons: ['kyc', 'licence', 'credit'], kycStatus: 'not_found' });
    const refused = await requireVerified(token).expect(403);
    expect(refused.body.message).toMatch(/no profile/);
    const after = (await integration()).window.outcomes;
    expect(after.success - before.success).toBe(1); // the service answered; the breaker does not count it
    expect(after.failure).toBe(before.failure);
    expect(await cachedRows(id)).toEqual([{ source: 'http', kycStatus: 'not_found', licence: false, creditScore: null }]);
  });

  it('asks again about a failing result after a minute (the customer may have fixed it), not before', async () => {
    const { id, token } = customer({ ...VERIFIED, kycStatus: 'pending' });
    await requireVerified(token).expect(403);
    fake.setProfile(id, VERIFIED);
    await requireVerified(token).expect(403);
    expect(fake.count(id)).toBe(1);
    await later(NOT_VERIFIED_RECHECK_MS + 1_000, async () => {
      await requireVerified(token).expect(200, { customerId: id, source: 'service' });
    });
    expect(fake.count(id)).toBe(2);
  });

  it('serves a cached result when the service is down: a verified one without asking, a failing one as the fallback', async () => {
    const ok = customer();
    const pending = customer({ ...VERIFIED, kycStatus: 'pending' });
    await mine(ok.token).expect(200);
    await mine(pending.token).expect(200);
    const fallbacksBefore = (await integration()).window.fallbacks;
    await fake.down();
    try {
      await requireVerified(ok.token).expect(200, { customerId: ok.id, source: 'cache' });
      await later(NOT_VERIFIED_RECHECK_MS + 1_000, async () => {
        const refused = await requireVerified(pending.token).expect(403);
        expect(refused.body.details).toEqual([{ field: 'kyc', message: expect.stringMatching(/pending/) }]);
        await mine(pending.token)
          .expect(200)
          .expect((res) => expect(res.body.source).toBe('cache'));
      });
    } finally {
      await fake.up();
    }
    expect((await integration()).window.fallbacks - fallbacksBefore).toBe(2);
  });

  it('answers 503 CUSTOMER_VERIFICATION_UNAVAILABLE with Retry-After when the service fails and nothing usable is cached', async () => {
    const failures: [string, () => Promise<void> | void, () => Promise<void> | void][] = [
      ['connection refused', () => fake.down(), () => fake.up()],
      ['HTTP 500', () => fake.fault({ kind: 'status', status: 500 }), () => fake.clearFaults()],
      ['HTTP 503', () => fake.fault({ kind: 'status', status: 503 }), () => fake.clearFaults()],
      ['HTTP 429', () => fake.fault({ kind: 'status', status: 429 }), () => fake.clearFaults()],
      ['a reset connection', () => fake.fault({ kind: 'reset' }), () => fake.clearFaults()],
      ['malformed JSON', () => fake.fault({ kind: 'malformed' }), () => fake.clearFaults()],
    ];
    for (const [what, breakIt, repair] of failures) {
      const { id, token } = customer();
      await breakIt();
      try {
        const res = await requireVerified(token);
        expect({ what, status: res.status, error: res.body.error, retryAfter: res.headers['retry-after'] }).toEqual({
          what,
          status: 503,
          error: 'CUSTOMER_VERIFICATION_UNAVAILABLE',
          retryAfter: '5',
        });
        await mine(token).expect(503);
      } finally {
        await repair();
      }
      expect({ what, cached: await cachedRows(id) }).toEqual({ what, cached: [] });
    }
  });

  it('never serves a result older than 24 h: the service down and only a stale one cached is 503', async () => {
    const { token } = customer();
    await mine(token).expect(200);
    fake.fault({ kind: 'status', status: 503 });
    try {
      await later(VERIFICATION_CACHE_TTL_MS + 1_000, async () => {
        await requireVerified(token).expect(503);
        await mine(token).expect(503);
      });
    } finally {
      fake.clearFaults();
    }
  });

  it('purges what it could no longer serve: a row checked 24 h ago goes, a fresher one stays, and the next check asks again', async () => {
    const stale = customer();
    const fresh = customer();
    await mine(stale.token).expect(200);
    await later(VERIFICATION_CACHE_TTL_MS - 60_000, async () => {
      await mine(fresh.token).expect(200);
      await t.app.get(CustomerVerificationPurgeJob).purge();
      expect(await cachedRows(stale.id)).toHaveLength(1); // 23 h 59 min old: still served from the cache
    });
    await later(VERIFICATION_CACHE_TTL_MS, async () => {
      expect(await t.app.get(CustomerVerificationPurgeJob).purge()).toBeGreaterThanOrEqual(1);
      expect(await cachedRows(stale.id)).toEqual([]); // 24 h old: never served again, so not kept
      expect(await cachedRows(fresh.id)).toHaveLength(1);
      await mine(stale.token).expect(200);
      expect(fake.count(stale.id)).toBe(2);
      expect(await cachedRows(stale.id)).toHaveLength(1);
    });
  });

  it.each([
    ['a licence flag as a string', { kycStatus: 'approved', drivingLicenseValid: 'true', creditScore: 720 }],
    ['a score as a string', { kycStatus: 'approved', drivingLicenseValid: true, creditScore: '720' }],
    ['no kycStatus', { drivingLicenseValid: true, creditScore: 720 }],
    ['another customer’s profile', { customerId: 'someone-else', ...VERIFIED }],
    ['a score above the scale', { ...VERIFIED, creditScore: 5000 }],
    ['a list', [VERIFIED]],
    ['a body over 16 KB', { ...VERIFIED, padding: 'x'.repeat(20_000) }],
  ])('counts %s as the service failing (503), never as a customer passing or failing a check', async (_what, body) => {
    const { id, token } = customer();
    fake.fault({ kind: 'body', body });
    try {
      await mine(token).expect(503);
    } finally {
      fake.clearFaults();
    }
    expect(await cachedRows(id)).toEqual([]);
    await mine(token).expect(200); // the service answers properly again: asked again, nothing wrong was kept
  });

  it('gives up on a slow service within about 500 ms (seed 002’s SLA) and does not retry a timeout', async () => {
    const { id, token } = customer();
    fake.fault({ kind: 'slow', delayMs: 3_000 });
    try {
      const started = performance.now();
      await requireVerified(token).expect(503);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(1_000);
    } finally {
      fake.clearFaults();
    }
    expect(fake.count(id)).toBe(1);
    const slowButInTime = customer();
    fake.fault({ kind: 'slow', delayMs: 150 }, 1);
    await requireVerified(slowButInTime.token).expect(200);
  });

  it('retries a quick failure once within the SLA', async () => {
    const { id, token } = customer();
    fake.fault({ kind: 'status', status: 503 }, 1);
    await requireVerified(token).expect(200, { customerId: id, source: 'service' });
    expect(fake.requests.filter((r) => r.customerId === id).map((r) => r.status)).toEqual([503, 200]);
  });

  it('keeps each user to their own verification, whatever they add to the request', async () => {
    const ann = customer({ ...VERIFIED, kycStatus: 'rejected' }, 'ann');
    const bob = customer(VERIFIED, 'bob');
    await mine(ann.token)
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ customerId: ann.id, verified: false }));
    await mine(bob.token)
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ customerId: bob.id, verified: true }));
    // Bob cannot name Ann: there is no id in the route, and a query or another path changes nothing.
    const withQuery = await t.http
      .get(`/v1/customers/me/verification?customerId=${ann.id}&sub=user-of-${ann.id}`)
      .set('Authorization', `Bearer ${bob.token}`)
      .expect(200);
    expect(withQuery.body).toMatchObject({ customerId: bob.id, verified: true });
    await t.http.get(`/v1/customers/${ann.id}/verification`).set('Authorization', `Bearer ${bob.token}`).expect(404);
    await requireVerified(bob.token).expect(200, { customerId: bob.id, source: 'cache' });
    await requireVerified(ann.token).expect(403);
    await t.http.get('/v1/customers/me/verification').expect(401);
  });

  it('puts any customer id safely in the path, and never looks up one that a URL would resolve away', async () => {
    for (const odd of ['a/b?c#d', 'späti 42', '%2e%2e', 'x'.repeat(200)]) {
      fake.setProfile(odd, VERIFIED);
      const res = await mine(customerToken('odd-user', odd)).expect(200);
      expect(res.body).toMatchObject({ customerId: odd, verified: true });
      expect(fake.requests.at(-1)).toMatchObject({ customerId: odd, status: 200 });
    }
    const before = fake.count();
    const dots = await mine(customerToken('dots-user', '..')).expect(200);
    expect(dots.body).toMatchObject({ customerId: '..', verified: false, kycStatus: 'not_found' });
    expect(fake.count()).toBe(before);
  });

  it('makes one request for concurrent checks of one customer', async () => {
    const { id, token } = customer();
    fake.fault({ kind: 'slow', delayMs: 100 }, 1);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => mine(token)));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(fake.count(id)).toBe(1);
  });

  it('shows the integration in GET /v1/admin/integrations and its checks in the metrics', async () => {
    const state = await integration();
    expect(state).toMatchObject({ name: 'customer_verification', kind: 'customers' });
    expect(state.window.outcomes.success).toBeGreaterThan(0);
    expect(state.window.outcomes.timeout).toBeGreaterThan(0);
    expect(state.window.outcomes.failure).toBeGreaterThan(0);
    const text = await t.app.get(MetricsRegistry).metrics();
    for (const [result, source] of [
      ['verified', 'service'],
      ['verified', 'cache'],
      ['not_verified', 'service'],
      ['not_verified', 'cache'],
      ['unavailable', 'none'],
    ]) {
      const line = new RegExp(`^customer_verification_checks_total\\{result="${result}",source="${source}"\\} (\\d+)$`, 'm');
      expect({ result, source, count: Number(line.exec(text)?.[1] ?? -1) > 0 }).toEqual({ result, source, count: true });
    }
    expect(text).toMatch(/^integration_requests_total\{integration="customer_verification",outcome="timeout"\} [1-9]/m);
  });
});
