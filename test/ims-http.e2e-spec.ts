import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Config } from '@jest/types';
import type { BreakerStateEvent, IntegrationOutcomeEvent } from '@holdfast/resilience';
import { createAppConfig } from '../src/config/app-config';
import { validateEnv } from '../src/config/env.schema';
import { ExternalInventoryService } from '../src/inventory/external-inventory.service';
import { ImsHttpClient } from '../src/inventory/ims-http.client';
import { ImsRefusedError, ImsRejectedError, ImsUnavailableError } from '../src/inventory/ims.port';
import { InventoryConfig } from '../src/inventory/inventory.config';
import { makeTestCertificates, startFakeIms, type FakeIms, type ImsRoute } from './support/fake-ims';
import { createTestApp, type TestApp } from './support/test-app';

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

async function unavailable(promise: Promise<unknown>): Promise<ImsUnavailableError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(ImsUnavailableError);
  return error as ImsUnavailableError;
}

/**
 * The IMS adapter (IMS_MODE=http) inside the real app, against a fake IMS over real HTTP
 * (DESIGN.md section 10): each route, the race on the last unit, timeouts and retries,
 * wrong answers, the circuit breaker, confirm idempotency and rejection, mTLS.
 */
describe('IMS over HTTP (IMS_MODE=http against the fake IMS)', () => {
  let fake: FakeIms;
  let t: TestApp;
  let ims: ExternalInventoryService;

  beforeAll(async () => {
    fake = await startFakeIms();
    t = await createTestApp({
      env: { IMS_MODE: 'http', IMS_BASE_URL: fake.url, IMS_API_KEY: `${fake.apiKey},ims_old_key`, IMS_RELEASE: 'true' },
    });
    ims = t.app.get(ExternalInventoryService);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.seed('carrier-m', { stock: 5 });
    fake.seed('carrier-rent', { units: 1 });
  });

  describe('the routes', () => {
    it('is the http adapter, release enabled, breaker closed', () => {
      expect(ims.mode).toBe('http');
      expect(ims.releaseSupported).toBe(true);
      expect(ims.breakerOpen()).toBe(false);
    });

    it('GET stock: the units for sale, with X-Api-Key', async () => {
      expect(await ims.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 5 });
      expect(fake.requests).toEqual([
        expect.objectContaining({ method: 'GET', path: '/api/inventory/carrier-m/stock', status: 200 }),
      ]);
    });

    it('GET availability: units free for a date range', async () => {
      expect(await ims.availability('carrier-rent', '2026-12-01', '2026-12-04')).toEqual({
        itemId: 'carrier-rent',
        available: true,
        unitsAvailable: 1,
      });
      expect(fake.requests[0].path).toBe('/api/inventory/carrier-rent/availability?start_date=2026-12-01&end_date=2026-12-04');
    });

    it('POST reserve: a product by quantity and a rental by dates, Idempotency-Key from our ids; 409 is ImsRefusedError', async () => {
      const product = await ims.reserve({ itemId: 'carrier-m', quantity: 2 }, 'res-1', 30);
      expect(product.reservationId).toMatch(/^sim-res-/);
      expect(product.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
      expect((await ims.stock('carrier-m')).available).toBe(3);
      await ims.reserve({ itemId: 'carrier-rent', startDate: '2026-12-01', endDate: '2026-12-04' }, 'res-1', 30);
      expect(fake.requests.filter((r) => r.route === 'reserve').map((r) => r.idempotencyKey)).toEqual([
        'hold-res-1-carrier-m',
        'hold-res-1-carrier-rent-2026-12-01-2026-12-04',
      ]);
      expect((await ims.availability('carrier-rent', '2026-12-03', '2026-12-05')).available).toBe(false);
      const refused = await failure(
        ims.reserve({ itemId: 'carrier-rent', startDate: '2026-12-02', endDate: '2026-12-03' }, 'res-2', 30),
      );
      expect(refused).toBeInstanceOf(ImsRefusedError);
    });

    it('POST confirm_order: an order, idempotent by reference (the same reference twice makes one order)', async () => {
      const r = await ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
      const first = await ims.confirmOrder('res-1', [r.reservationId]);
      const again = await ims.confirmOrder('res-1', [r.reservationId]);
      expect(again).toEqual(first);
      expect(fake.model.orderCount()).toBe(1);
      const confirms = fake.requests.filter((q) => q.route === 'confirm_order');
      expect(confirms.map((q) => [q.idempotencyKey, q.replayed])).toEqual([
        ['confirm-res-1', false],
        ['confirm-res-1', true],
      ]);
    });

    it('409 or 410 on confirm_order is ImsRejectedError: a lapsed reservation, or one not ours', async () => {
      const r = await ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 1);
      fake.clock.advance(2 * 60_000); // the IMS's time: the reservation lapsed
      const lapsed = await failure(ims.confirmOrder('res-1', [r.reservationId]));
      expect(lapsed).toBeInstanceOf(ImsRejectedError);
      expect(lapsed).toMatchObject({ status: 410, reference: 'res-1' });
      const r2 = await ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-2', 30);
      expect(await failure(ims.confirmOrder('res-3', [r2.reservationId]))).toMatchObject({ status: 409 });
      expect(ims.breakerOpen()).toBe(false); // the IMS answered: no failure counted
    });

    it('DELETE release gives the units back; an unknown reservation is no error', async () => {
      const r = await ims.reserve({ itemId: 'carrier-m', quantity: 5 }, 'res-1', 30);
      expect((await ims.stock('carrier-m')).available).toBe(0);
      await ims.release(r.reservationId);
      expect((await ims.stock('carrier-m')).available).toBe(5);
      await ims.release('sim-res-404');
      expect(fake.requests.filter((q) => q.route === 'release').map((q) => q.status)).toEqual([204, 404]);
    });

    it('20 concurrent reserves of the last unit: exactly one wins, the rest are ImsRefusedError', async () => {
      fake.seed('last', { stock: 1 });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => ims.reserve({ itemId: 'last', quantity: 1 }, `race-${i}`, 30)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(reasons).toHaveLength(19);
      for (const reason of reasons) expect(reason).toBeInstanceOf(ImsRefusedError);
      expect(fake.model.reservationCount()).toBe(1);
      expect(fake.counts().reserve).toBe(20); // no retry of a refusal
    });

    it('an unknown item is ImsUnavailableError(unknown_item), not retried; a bad date never leaves', async () => {
      expect((await unavailable(ims.stock('nope'))).reason).toBe('unknown_item');
      expect(fake.counts().stock).toBe(1);
      await expect(ims.availability('carrier-rent', '2026-12-04', '2026-12-01')).rejects.toBeInstanceOf(RangeError);
      expect(fake.counts().availability).toBe(0);
    });
  });

  describe('failures', () => {
    // Each test's failures count against the app's one breaker (5 in a row open it): a
    // success after each resets the count, so the tests stay independent.
    afterEach(async () => {
      fake.clearFaults();
      await ims.stock('carrier-m');
    });

    it('a slow IMS: each attempt is cut at 2 s, the GET is tried 3 times, then ImsUnavailableError(timeout)', async () => {
      fake.fault('stock', { kind: 'slow', delayMs: 3000 });
      const started = Date.now();
      const error = await unavailable(ims.stock('carrier-m'));
      const elapsed = Date.now() - started;
      expect(error.reason).toBe('timeout');
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
      expect(fake.counts().stock).toBe(3);
      expect(elapsed).toBeGreaterThanOrEqual(3 * 2000);
      expect(elapsed).toBeLessThan(3 * 2000 + 2500); // 2 s per attempt plus the backoffs, never the IMS's 3 s
    }, 20_000);

    it('a reserve that timed out is retried with the SAME Idempotency-Key: the IMS replays it, one reservation', async () => {
      fake.seed('last', { stock: 1 });
      fake.fault('reserve', { kind: 'slow', delayMs: 2500 }, 1); // the first attempt is carried out, but too late
      const started = Date.now();
      const r = await ims.reserve({ itemId: 'last', quantity: 1 }, 'res-1', 30);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      const reserves = fake.requests.filter((q) => q.route === 'reserve');
      expect(reserves.map((q) => q.idempotencyKey)).toEqual(['hold-res-1-last', 'hold-res-1-last']);
      expect(reserves[1].replayed).toBe(true);
      expect(fake.model.reservationCount()).toBe(1);
      expect(r.reservationId).toBe('sim-res-1');
    }, 20_000);

    it('500s are retried (GET) and end as ImsUnavailableError(server_error); one 500 then OK succeeds', async () => {
      fake.fault('stock', { kind: 'status', status: 500 });
      expect((await unavailable(ims.stock('carrier-m'))).reason).toBe('server_error');
      expect(fake.counts().stock).toBe(3);
      fake.reset();
      fake.seed('carrier-m', { stock: 5 });
      fake.fault('stock', { kind: 'status', status: 503 }, 1);
      expect(await ims.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 5 });
      expect(fake.counts().stock).toBe(2);
    });

    it('a 500 on confirm_order is retried with the same key and never makes two orders', async () => {
      const r = await ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
      fake.fault('confirm_order', { kind: 'status', status: 500 }, 1);
      await ims.confirmOrder('res-1', [r.reservationId]);
      expect(fake.requests.filter((q) => q.route === 'confirm_order').map((q) => q.status)).toEqual([500, 200]);
      expect(fake.model.orderCount()).toBe(1);
    });

    it('malformed JSON is ImsUnavailableError(malformed_response), never trusted and not retried', async () => {
      fake.fault('stock', { kind: 'malformed' });
      expect((await unavailable(ims.stock('carrier-m'))).reason).toBe('malformed_response');
      expect(fake.counts().stock).toBe(1);
    });

    it.each([
      ['a negative quantity', 'stock', { item_id: 'carrier-m', available: -1 }],
      ['a fractional quantity', 'stock', { item_id: 'carrier-m', available: 1.5 }],
      ['a quantity as a string', 'stock', { item_id: 'carrier-m', available: '5' }],
      ['a missing field', 'stock', { item_id: 'carrier-m' }],
      ['another item', 'stock', { item_id: 'carrier-x', available: 5 }],
      ['a JSON array', 'stock', [1]],
      [
        'available contradicting units_available',
        'availability',
        { item_id: 'carrier-rent', available: true, units_available: 0 },
      ],
      ['negative units', 'availability', { item_id: 'carrier-rent', available: false, units_available: -2 }],
      ['no reservation_id', 'reserve', { expires_at: '2026-12-01T10:00:00Z' }],
      ['an expires_at that is no date', 'reserve', { reservation_id: 'r1', expires_at: 'soon' }],
      ['confirm without status confirmed', 'confirm_order', { order_id: 'o1', status: 'pending' }],
      ['confirm without order_id', 'confirm_order', { status: 'confirmed' }],
    ] as [string, ImsRoute, unknown][])(
      'a 200 with %s is ImsUnavailableError(malformed_response)',
      async (_what, route, body) => {
        fake.fault(route, { kind: 'body', body });
        const call =
          route === 'stock'
            ? ims.stock('carrier-m')
            : route === 'availability'
              ? ims.availability('carrier-rent', '2026-12-01', '2026-12-02')
              : route === 'reserve'
                ? ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30)
                : ims.confirmOrder('res-1', ['sim-res-1']);
        expect((await unavailable(call)).reason).toBe('malformed_response');
      },
    );

    it('a dropped connection and a server that is down are ImsUnavailableError(unreachable), retried', async () => {
      fake.fault('stock', { kind: 'down' });
      expect((await unavailable(ims.stock('carrier-m'))).reason).toBe('unreachable');
      expect(fake.counts().stock).toBe(3);
      fake.clearFaults();
      await fake.down();
      try {
        expect((await unavailable(ims.availability('carrier-rent', '2026-12-01', '2026-12-02'))).reason).toBe('unreachable');
      } finally {
        await fake.up();
      }
      expect(await ims.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 5 }); // back, and the breaker closed
    });

    it('a wrong API key is ImsUnavailableError(unauthorized), not retried', async () => {
      const client = new ImsHttpClient({ baseUrl: fake.url, apiKey: 'wrong', timeoutMs: 2000, release: false });
      try {
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('unauthorized');
        expect(fake.requests.map((q) => q.status)).toEqual([401]);
        await expect(client.release('sim-res-1')).rejects.toThrow(/IMS_RELEASE=false/);
        expect(fake.counts().release).toBe(0);
      } finally {
        client.close();
      }
    });
  });

  describe('the circuit breaker', () => {
    const FAKEABLE_BUT_DATE = [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ] satisfies Config.FakeableAPI[];
    let clock: number;
    /** Moves the clock cockatiel's breaker reads (`Date.now()`); timers and I/O stay real. */
    const advance = (ms: number) => jest.setSystemTime((clock += ms));

    beforeEach(() => {
      clock = Date.now();
      jest.useFakeTimers({ doNotFake: FAKEABLE_BUT_DATE, now: clock });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('opens after 5 failed calls, then fails fast without a request; after 30 s one trial call closes it', async () => {
      fake.fault('stock', { kind: 'status', status: 500 });
      for (let i = 0; i < 5; i++) expect((await unavailable(ims.stock('carrier-m'))).reason).toBe('server_error');
      expect(fake.counts().stock).toBe(15); // 5 calls x 3 attempts
      expect(ims.breakerOpen()).toBe(true);

      const fast = await unavailable(ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30));
      expect(fast.reason).toBe('breaker_open');
      expect(fast.retryAfterSeconds).toBeGreaterThan(0);
      expect(fast.retryAfterSeconds).toBeLessThanOrEqual(30);
      expect(fake.counts().reserve).toBe(0); // no request reached the IMS
      expect(fake.counts().stock).toBe(15);

      advance(31_000); // half-open: the next call is the trial
      expect(ims.breakerOpen()).toBe(false);
      fake.clearFaults();
      expect(await ims.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 5 });
      expect(ims.breakerOpen()).toBe(false);
      await ims.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
    });

    it('a failed trial opens it again for 30 s; outcomes and state changes reach the observer', async () => {
      const outcomes: IntegrationOutcomeEvent[] = [];
      const changes: BreakerStateEvent[] = [];
      const client = new ImsHttpClient(
        {
          baseUrl: fake.url,
          apiKey: fake.apiKey,
          timeoutMs: 500,
          release: true,
          retries: 0,
          breaker: { threshold: 2, halfOpenAfterMs: 30_000 },
        },
        { outcome: (event) => outcomes.push(event), breakerStateChanged: (event) => changes.push(event) },
      );
      try {
        expect(await client.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 5 });
        fake.fault('stock', { kind: 'slow', delayMs: 1000 }, 1);
        fake.fault('stock', { kind: 'status', status: 500 });
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('timeout');
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('server_error');
        expect(client.breakerOpen()).toBe(true);
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('breaker_open');
        advance(30_000);
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('server_error'); // the trial fails
        expect(client.breakerOpen()).toBe(true);
        advance(30_000);
        fake.clearFaults();
        await client.stock('carrier-m');
        expect(client.breakerOpen()).toBe(false);

        expect(outcomes.map((o) => o.outcome)).toEqual(['success', 'timeout', 'failure', 'breaker_open', 'failure', 'success']);
        expect(outcomes.every((o) => o.integration === 'ims' && o.durationMs >= 0)).toBe(true);
        expect(outcomes.map((o) => o.attempts)).toEqual([1, 1, 1, 0, 1, 1]);
        expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual([
          'closed->open',
          'open->half_open',
          'half_open->open',
          'open->half_open',
          'half_open->closed',
        ]);
      } finally {
        client.close();
      }
    });
  });
});

describe('IMS over mutual TLS', () => {
  const certs = makeTestCertificates();
  let fake: FakeIms;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeIms({
      tls: { key: certs.read(certs.serverKey), cert: certs.read(certs.serverCert), ca: certs.read(certs.caCert) },
    });
    fake.seed('carrier-m', { stock: 2 });
    t = await createTestApp({
      env: {
        IMS_MODE: 'http',
        IMS_BASE_URL: fake.url,
        IMS_API_KEY: fake.apiKey,
        IMS_CLIENT_CERT_FILE: certs.clientCert,
        IMS_CLIENT_KEY_FILE: certs.clientKey,
        IMS_CA_FILE: certs.caCert,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('presents the client certificate read from IMS_CLIENT_CERT_FILE/IMS_CLIENT_KEY_FILE and trusts IMS_CA_FILE', async () => {
    expect(fake.url).toMatch(/^https:/);
    expect(await t.app.get(ExternalInventoryService).stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 2 });
  });

  it('fails the handshake without a client certificate, or with one of another CA: unreachable, no request served', async () => {
    const served = fake.requests.length;
    for (const tls of [
      { ca: certs.read(certs.caCert) },
      { ca: certs.read(certs.caCert), cert: certs.read(certs.strangerCert), key: certs.read(certs.strangerKey) },
    ]) {
      const client = new ImsHttpClient({
        baseUrl: fake.url,
        apiKey: fake.apiKey,
        timeoutMs: 2000,
        release: false,
        retries: 0,
        tls,
      });
      try {
        expect((await unavailable(client.stock('carrier-m'))).reason).toBe('unreachable');
      } finally {
        client.close();
      }
    }
    expect(fake.requests.length).toBe(served);
  });

  it('refuses an IMS whose certificate does not chain to IMS_CA_FILE (no CA given: the system CAs)', async () => {
    const client = new ImsHttpClient({
      baseUrl: fake.url,
      apiKey: fake.apiKey,
      timeoutMs: 2000,
      release: false,
      retries: 0,
      tls: { cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) },
    });
    try {
      expect((await unavailable(client.stock('carrier-m'))).reason).toBe('unreachable');
    } finally {
      client.close();
    }
  });

  it('does not start when an mTLS file cannot be read (the adapter reads them at start-up)', () => {
    const env = validateEnv({
      IMS_MODE: 'http',
      IMS_BASE_URL: fake.url,
      IMS_API_KEY: fake.apiKey,
      IMS_CLIENT_CERT_FILE: `${certs.dir}/missing.crt`,
      IMS_CLIENT_KEY_FILE: certs.clientKey,
    });
    const config = new InventoryConfig(createAppConfig(env, 'postgres://unused/holdfast', false));
    expect(() => ImsHttpClient.fromConfig(config)).toThrow(/IMS_CLIENT_CERT_FILE: cannot read .*missing\.crt \(ENOENT\)/);
  });
});
