import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import { IntegrationMetrics } from '../src/integrations/integration-metrics';
import { IntegrationsService } from '../src/integrations/integrations.service';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { HttpTelematicsClient } from '../src/rentals/http-telematics.client';
import { registerTelematicsPolicy, TelematicsError } from '../src/rentals/telematics.port';
import { startFakeTelematics, type FakeTelematics } from './support/fake-telematics';

/** The error a promise rejects with: a TelematicsError, or the test fails. */
async function failure(promise: Promise<unknown>): Promise<TelematicsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TelematicsError);
    return error as TelematicsError;
  }
  throw new Error('expected a TelematicsError');
}

const BUDGET_MS = 1_500;

/**
 * The telematics adapter (TELEMATICS_MODE=http) against a fake telematics API over real
 * HTTP (docs/telematics.md): the contract's requests and answers, the one budget per call,
 * retries with the same key only where they are safe, strict answers, the breaker, and
 * what IntegrationsService sees as the `telematics` integration.
 */
describe('telematics over HTTP (the fake telematics API)', () => {
  let fake: FakeTelematics;
  let integrations: IntegrationsService;
  let registry: MetricsRegistry;
  let client: HttpTelematicsClient;

  /** A client with its own integration registry, budget and breaker. */
  function build(budgetMs = BUDGET_MS, breaker = { threshold: 5, halfOpenAfterMs: 30_000 }, apiKey = fake.apiKey) {
    registry = new MetricsRegistry();
    integrations = new IntegrationsService(new IntegrationMetrics(registry), new TestClock());
    const policy = registerTelematicsPolicy(integrations, budgetMs, breaker);
    client?.close();
    client = new HttpTelematicsClient({ baseUrl: fake.url, apiKey, retryDelayMs: 50 }, policy);
    return client;
  }

  beforeAll(async () => {
    fake = await startFakeTelematics();
  });
  afterAll(async () => {
    client?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.vehicle('VAN-1', { odometerKm: 42_000, energyLevelPercent: 64.5 });
    build();
  });
  afterEach(() => fake.always(null));

  describe('the contract', () => {
    it('unlocks: POST /vehicles/{id}/unlock with X-Api-Key and Idempotency-Key; the readings and a Date back', async () => {
      const before = Date.now();
      const result = await client.unlock('VAN-1', { idempotencyKey: 'unlock-r1-k1' });
      expect(result).toEqual({ unlockedAt: expect.any(Date), odometerKm: 42_000, energyLevelPercent: 64.5 });
      expect(result.unlockedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(fake.requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/api/vehicles/VAN-1/unlock',
          idempotencyKey: 'unlock-r1-k1',
          apiKeyValid: true,
          status: 200,
        }),
      ]);
      expect(fake.vehicle('VAN-1')).toMatchObject({ locked: false, unlocks: 1 });
      expect(integrations.states()).toEqual([
        expect.objectContaining({ name: 'telematics', kind: 'telematics', breakerState: 'closed' }),
      ]);
    });

    it('locks, and reads the last lock (null before any), with the position', async () => {
      expect(await client.lastLock('VAN-1')).toBeNull();
      const locked = await client.lock('VAN-1', { idempotencyKey: 'lock-1' });
      expect(locked).toEqual({ lockedAt: expect.any(Date), odometerKm: 42_000, energyLevelPercent: 64.5 });
      expect(await client.lastLock('VAN-1')).toEqual({ ...locked, latitude: 52.37, longitude: 4.89 });
      expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.idempotencyKey}`)).toEqual([
        'GET /api/vehicles/VAN-1/last-lock null',
        'POST /api/vehicles/VAN-1/lock lock-1',
        'GET /api/vehicles/VAN-1/last-lock null',
      ]);
    });

    it('passes null readings through, and encodes the vehicle id in the path', async () => {
      fake.vehicle('VAN 2/ü', { odometerKm: null, energyLevelPercent: null });
      expect(await client.unlock('VAN 2/ü', { idempotencyKey: 'k' })).toMatchObject({
        odometerKm: null,
        energyLevelPercent: null,
      });
      expect(fake.requests[0].path).toBe('/api/vehicles/VAN%202%2F%C3%BC/unlock');
    });

    it('answers a repeated key with the first answer, the car opened once', async () => {
      const first = await client.unlock('VAN-1', { idempotencyKey: 'same' });
      const second = await client.unlock('VAN-1', { idempotencyKey: 'same' });
      expect(second).toEqual(first);
      expect(fake.vehicle('VAN-1').unlocks).toBe(1);
    });
  });

  describe('refusals (the API is up and says no: not retried, not counted against the breaker)', () => {
    it('409 is refused with its reason; 404 is refused as an unknown vehicle', async () => {
      fake.always({ kind: 'refuse', reason: 'immobilised' });
      for (let i = 0; i < 7; i++) {
        expect(await failure(client.unlock('VAN-1', { idempotencyKey: `r${i}` }))).toMatchObject({
          kind: 'refused',
          reason: 'immobilised',
        });
      }
      fake.always(null);
      expect(await failure(client.unlock('NOPE', { idempotencyKey: 'n' }))).toMatchObject({
        kind: 'refused',
        reason: 'unknown_vehicle',
      });
      expect(fake.requests).toHaveLength(8); // one each
      expect(integrations.states()[0]).toMatchObject({
        breakerState: 'closed',
        window: { outcomes: { success: 8, failure: 0 } },
      });
    });

    it('a wrong API key is unavailable at once (401, no retry); so is a key reused for another command (422)', async () => {
      build(BUDGET_MS, undefined, 'wrong-key');
      expect(await failure(client.unlock('VAN-1', { idempotencyKey: 'k' }))).toMatchObject({
        kind: 'unavailable',
        message: expect.stringContaining('401'),
      });
      expect(fake.requests).toHaveLength(1);
      build();
      await client.unlock('VAN-1', { idempotencyKey: 'k2' });
      expect(await failure(client.lock('VAN-1', { idempotencyKey: 'k2' }))).toMatchObject({
        kind: 'unavailable',
        message: expect.stringContaining('422'),
      });
      expect(fake.requests).toHaveLength(3);
    });

    it('refuses bad arguments before sending anything', async () => {
      await expect(client.unlock('VAN-1', { idempotencyKey: '' })).rejects.toBeInstanceOf(RangeError);
      await expect(client.unlock('VAN-1', { idempotencyKey: 'with space' })).rejects.toBeInstanceOf(RangeError);
      await expect(client.unlock(' ', { idempotencyKey: 'k' })).rejects.toBeInstanceOf(RangeError);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('retries: only connection errors and 5xx, with the same key, within the budget', () => {
    it('5xx then success: the call succeeds on a later attempt, every attempt with the same key', async () => {
      fake.next({ kind: 'status', status: 503 }, { kind: 'status', status: 502 });
      expect(await client.unlock('VAN-1', { idempotencyKey: 'unlock-r2' })).toMatchObject({ odometerKm: 42_000 });
      expect(fake.requests.map((r) => [r.status, r.idempotencyKey])).toEqual([
        [503, 'unlock-r2'],
        [502, 'unlock-r2'],
        [200, 'unlock-r2'],
      ]);
      expect(integrations.states()[0].window.outcomes).toMatchObject({ success: 1, failure: 0 });
    });

    it('a connection cut after the car opened: the retry reuses the key, gets the same answer, and the car opens once', async () => {
      fake.next({ kind: 'drop', afterEffect: true });
      const result = await client.unlock('VAN-1', { idempotencyKey: 'unlock-r3' });
      expect(result.odometerKm).toBe(42_000);
      expect(fake.requests.map((r) => [r.status, r.idempotencyKey])).toEqual([
        [0, 'unlock-r3'],
        [200, 'unlock-r3'],
      ]);
      expect(fake.vehicle('VAN-1').unlocks).toBe(1);
    });

    it('the API unreachable: retried while the budget lasts, then unavailable, well within the budget', async () => {
      await fake.down();
      try {
        const started = performance.now();
        const error = await failure(client.unlock('VAN-1', { idempotencyKey: 'k' }));
        expect(['unavailable', 'timeout']).toContain(error.kind);
        expect(performance.now() - started).toBeLessThan(BUDGET_MS + 200);
      } finally {
        await fake.up();
      }
    });

    it('5xx every time: the call ends within the budget, after a few attempts, never more than four', async () => {
      fake.always({ kind: 'status', status: 500 });
      const started = performance.now();
      const error = await failure(client.unlock('VAN-1', { idempotencyKey: 'k' }));
      expect(error.kind).toBe('unavailable');
      expect(performance.now() - started).toBeLessThan(BUDGET_MS + 200);
      expect(fake.requests.length).toBeGreaterThanOrEqual(2);
      expect(fake.requests.length).toBeLessThanOrEqual(4);
      expect(new Set(fake.requests.map((r) => r.idempotencyKey))).toEqual(new Set(['k']));
    });
  });

  describe('timeouts: one budget for the whole call', () => {
    it('a car slower than the budget: TelematicsError timeout when the budget ends, not later', async () => {
      build(300);
      fake.always({ kind: 'slow', delayMs: 5_000 });
      const started = performance.now();
      const error = await failure(client.unlock('VAN-1', { idempotencyKey: 'slow' }));
      const elapsed = performance.now() - started;
      expect(error.kind).toBe('timeout');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(600);
      expect(fake.requests).toHaveLength(1); // a timeout is not retried: the budget is spent
      expect(integrations.states()[0].window.outcomes).toMatchObject({ timeout: 1 });
    });

    it('a slow answer within the budget is a success (cellular is slow)', async () => {
      fake.next({ kind: 'slow', delayMs: 400 });
      expect(await client.unlock('VAN-1', { idempotencyKey: 'k' })).toMatchObject({ odometerKm: 42_000 });
    });
  });

  describe('strict answers: anything off the contract is unavailable, never trusted, never retried', () => {
    const now = new Date().toISOString();
    const ok = { vehicleId: 'VAN-1', state: 'unlocked', unlockedAt: now, odometerKm: 1, energyLevelPercent: 50 };
    it.each([
      ['not JSON', '{"vehicleId": "VAN-1", '],
      ['an array', '[]'],
      ['another vehicle', JSON.stringify({ ...ok, vehicleId: 'VAN-2' })],
      ['the wrong state', JSON.stringify({ ...ok, state: 'locked' })],
      ['a date without a zone', JSON.stringify({ ...ok, unlockedAt: '2026-12-10T10:00:00' })],
      ['no date', JSON.stringify({ ...ok, unlockedAt: undefined })],
      ['a fractional odometer', JSON.stringify({ ...ok, odometerKm: 1.5 })],
      ['a negative odometer', JSON.stringify({ ...ok, odometerKm: -1 })],
      ['an odometer as text', JSON.stringify({ ...ok, odometerKm: '1' })],
      ['a level above 100', JSON.stringify({ ...ok, energyLevelPercent: 101 })],
      ['no level', JSON.stringify({ ...ok, energyLevelPercent: undefined })],
      ['a body over 16 KB', JSON.stringify({ ...ok, padding: 'x'.repeat(20_000) })],
    ])('unlock answering %s', async (_what, body) => {
      fake.always({ kind: 'malformed', body });
      const error = await failure(client.unlock('VAN-1', { idempotencyKey: 'k' }));
      expect(error.kind).toBe('unavailable');
      expect(error.message).toMatch(/malformed/);
      expect(fake.requests).toHaveLength(1);
    });

    it.each([
      ['no lastLock field', JSON.stringify({ vehicleId: 'VAN-1' })],
      [
        'a latitude of 91',
        JSON.stringify({
          vehicleId: 'VAN-1',
          lastLock: { lockedAt: now, odometerKm: 1, energyLevelPercent: 1, latitude: 91, longitude: 0 },
        }),
      ],
      [
        'no longitude',
        JSON.stringify({ vehicleId: 'VAN-1', lastLock: { lockedAt: now, odometerKm: 1, energyLevelPercent: 1, latitude: 1 } }),
      ],
      ['a lastLock that is a string', JSON.stringify({ vehicleId: 'VAN-1', lastLock: 'yesterday' })],
    ])('last-lock answering %s', async (_what, body) => {
      fake.always({ kind: 'malformed', body });
      expect((await failure(client.lastLock('VAN-1'))).kind).toBe('unavailable');
    });
  });

  describe('the circuit breaker', () => {
    it('opens after consecutive failed calls, then fails fast without a request; a trial after the pause closes it', async () => {
      build(BUDGET_MS, { threshold: 3, halfOpenAfterMs: 300 });
      fake.always({ kind: 'status', status: 503 });
      for (let i = 0; i < 3; i++)
        expect((await failure(client.unlock('VAN-1', { idempotencyKey: `k${i}` }))).kind).toBe('unavailable');
      const sent = fake.requests.length;

      const started = performance.now();
      const fast = await failure(client.unlock('VAN-1', { idempotencyKey: 'k3' }));
      expect(fast).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('circuit breaker open') });
      expect(performance.now() - started).toBeLessThan(50);
      expect(fake.requests.length).toBe(sent);
      expect(integrations.states()[0]).toMatchObject({
        breakerState: 'open',
        lastError: { message: expect.stringContaining('circuit breaker open') },
        window: { outcomes: { failure: 3, breaker_open: 1 } },
      });
      expect(await registry.metrics()).toMatch(/^integration_breaker_open\{integration="telematics"\} 1$/m);

      fake.always(null);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await client.unlock('VAN-1', { idempotencyKey: 'k4' })).toMatchObject({ odometerKm: 42_000 });
      expect(integrations.states()[0].breakerState).toBe('closed');
    });
  });
});
