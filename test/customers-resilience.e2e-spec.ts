import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATED_TEST_CUSTOMERS } from '../src/customers/simulated-customer-verification.adapter';
import { customerToken } from './support/customer-tokens';
import { CustomerVerificationProbeModule } from './support/customer-verification-probe.module';
import { startFakeCustomers, type FakeCustomers } from './support/fake-customers';
import { createTestApp, type TestApp } from './support/test-app';
import { sleep } from './support/wait';

/*
 * Customer verification beyond the happy path of the HTTP adapter: the simulated adapter
 * `npm start` uses (its test customers), the circuit breaker, and a refused API key.
 */

const VERIFIED = { kycStatus: 'approved', drivingLicenseValid: true, creditScore: 720 };

interface IntegrationView {
  name: string;
  kind: string;
  breakerState: string;
  lastError: { message: string } | null;
  window: { outcomes: Record<string, number> };
}

const integrationOf = async (t: TestApp): Promise<IntegrationView> => {
  const res = await t.http
    .get('/v1/admin/integrations')
    .set('Authorization', `Bearer ${t.token('ops', ['admin'])}`)
    .expect(200);
  return (res.body.integrations as IntegrationView[]).find((i) => i.name === 'customer_verification')!;
};

describe('customer verification, simulated (the default of npm start)', () => {
  let t: TestApp;
  const mine = (sub: string) => t.http.get('/v1/customers/me/verification').set('Authorization', `Bearer ${t.token(sub)}`);
  const requireVerified = (sub: string) =>
    t.http.get('/v1/test-customers/require-verified').set('Authorization', `Bearer ${t.token(sub)}`);

  beforeAll(async () => {
    t = await createTestApp({ imports: [CustomerVerificationProbeModule] });
  });
  afterAll(async () => t?.close());

  it('verifies an ordinary dev user, keyed by the token’s sub, and caches the answer as the simulated one', async () => {
    const res = await mine('alice').expect(200);
    expect(res.body).toMatchObject({
      customerId: 'alice',
      verified: true,
      reasons: [],
      creditSufficient: true,
      source: 'service',
    });
    await requireVerified('alice').expect(200, { customerId: 'alice', source: 'cache' });
    const rows = (await t.dataSource.query(`SELECT source FROM customer_verifications WHERE customer_id = 'alice'`)) as {
      source: string;
    }[];
    expect(rows).toEqual([{ source: 'simulated' }]);
  });

  it('fails each check for the test customers named after it, with 403 CUSTOMER_NOT_VERIFIED and the reason', async () => {
    const cases: [string, string[]][] = [
      [`${SIMULATED_TEST_CUSTOMERS.kycPending}-ann`, ['kyc']],
      [`${SIMULATED_TEST_CUSTOMERS.kycRejected}-ann`, ['kyc']],
      [`${SIMULATED_TEST_CUSTOMERS.licenceInvalid}-ann`, ['licence']],
      [`${SIMULATED_TEST_CUSTOMERS.creditLow}-ann`, ['credit']],
      [`${SIMULATED_TEST_CUSTOMERS.unknown}-ann`, ['kyc', 'licence', 'credit']],
      ['kyc-pending-licence-invalid-credit-low-ann', ['kyc', 'licence', 'credit']],
    ];
    for (const [sub, reasons] of cases) {
      const refused = await requireVerified(sub).expect(403);
      expect({ sub, error: refused.body.error, fields: refused.body.details.map((d: { field: string }) => d.field) }).toEqual({
        sub,
        error: 'CUSTOMER_NOT_VERIFIED',
        fields: reasons,
      });
      const shown = await mine(sub).expect(200);
      expect({ sub, reasons: shown.body.reasons, verified: shown.body.verified }).toEqual({ sub, reasons, verified: false });
    }
  });

  it('can be told to be down (503 with Retry-After) or slow (503 after about 500 ms) for a test customer', async () => {
    const down = await requireVerified(`${SIMULATED_TEST_CUSTOMERS.unavailable}-bob`).expect(503);
    expect(down.body.error).toBe('CUSTOMER_VERIFICATION_UNAVAILABLE');
    expect(down.headers['retry-after']).toBe('5');
    const started = performance.now();
    const slow = await mine(`${SIMULATED_TEST_CUSTOMERS.slow}-bob`).expect(503);
    expect(slow.body.error).toBe('CUSTOMER_VERIFICATION_UNAVAILABLE');
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('registers as the customer_verification integration', async () => {
    const state = await integrationOf(t);
    expect(state).toMatchObject({ kind: 'customers', breakerState: 'closed' });
    expect(state.window.outcomes.timeout).toBeGreaterThan(0);
  });
});

describe('customer verification: the circuit breaker', () => {
  let t: TestApp;
  let fake: FakeCustomers;
  // Long enough that the calls below land while the breaker is still open on a loaded CI
  // machine (600 ms was not: the breaker went half-open between two of them).
  const HALF_OPEN_MS = 3000;
  const requireVerified = (token: string) =>
    t.http.get('/v1/test-customers/require-verified').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    fake = await startFakeCustomers();
    t = await createTestApp({
      env: {
        CUSTOMERS_MODE: 'http',
        CUSTOMER_SERVICE_URL: fake.url,
        CUSTOMER_SERVICE_API_KEY: fake.apiKey,
        CUSTOMER_SERVICE_BREAKER_THRESHOLD: '2',
        CUSTOMER_SERVICE_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      },
      imports: [CustomerVerificationProbeModule],
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('opens after 2 failed calls, then answers 503 at once without a request while a fresh cached result still serves', async () => {
    for (const id of ['cached-ok', 'c1', 'c2', 'c3', 'c4']) fake.setProfile(id, VERIFIED);
    await requireVerified(customerToken('u0', 'cached-ok')).expect(200);

    fake.fault({ kind: 'status', status: 503 });
    await requireVerified(customerToken('u1', 'c1')).expect(503);
    await requireVerified(customerToken('u2', 'c2')).expect(503);
    expect((await integrationOf(t)).breakerState).toBe('open');

    const before = fake.count();
    const refused = await requireVerified(customerToken('u3', 'c3')).expect(503);
    expect(refused.body.error).toBe('CUSTOMER_VERIFICATION_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('3'); // the open period, rounded up to a second
    await requireVerified(customerToken('u0', 'cached-ok')).expect(200, { customerId: 'cached-ok', source: 'cache' });
    expect(fake.count()).toBe(before);
    expect((await integrationOf(t)).window.outcomes.breaker_open).toBe(1);

    fake.clearFaults();
    await sleep(HALF_OPEN_MS + 100);
    await requireVerified(customerToken('u4', 'c4')).expect(200, { customerId: 'c4', source: 'service' });
    expect((await integrationOf(t)).breakerState).toBe('closed');
  });
});

describe('customer verification with an API key the service refuses', () => {
  let t: TestApp;
  let fake: FakeCustomers;
  const WRONG_KEY = 'cms_wrong_key_do_not_print';

  beforeAll(async () => {
    fake = await startFakeCustomers();
    t = await createTestApp({
      env: { CUSTOMERS_MODE: 'http', CUSTOMER_SERVICE_URL: fake.url, CUSTOMER_SERVICE_API_KEY: WRONG_KEY },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('answers 503 (never lets the customer through, never blames them), once, and never shows the key', async () => {
    fake.setProfile('known', VERIFIED);
    const res = await t.http
      .get('/v1/customers/me/verification')
      .set('Authorization', `Bearer ${customerToken('u', 'known')}`)
      .expect(503);
    expect(res.body.error).toBe('CUSTOMER_VERIFICATION_UNAVAILABLE');
    expect(fake.requests).toEqual([expect.objectContaining({ authorized: false, status: 401 })]); // not retried
    const state = await integrationOf(t);
    expect(state.window.outcomes.failure).toBe(1);
    expect(state.lastError?.message).toMatch(/HTTP 401/);
    expect(JSON.stringify(state)).not.toContain(WRONG_KEY);
    expect(JSON.stringify(res.body)).not.toContain(WRONG_KEY);
  });
});
