import { describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import { IntegrationMetrics } from '../integrations/integration-metrics';
import { IntegrationsService } from '../integrations/integrations.service';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { SIMULATED_KM_PER_HOUR, SIMULATED_PERCENT_PER_KM, SimulatedTelematics } from './simulated-telematics';
import { registerTelematicsPolicy, TelematicsError } from './telematics.port';

const HOUR = 3_600_000;

function fleet(options: { slowMs?: number; policy?: { timeoutMs: number; threshold?: number } } = {}) {
  const clock = new TestClock();
  clock.set(new Date('2026-12-10T08:00:00Z'));
  const integrations = new IntegrationsService(new IntegrationMetrics(new MetricsRegistry()), clock);
  const policy = options.policy
    ? registerTelematicsPolicy(integrations, options.policy.timeoutMs, {
        threshold: options.policy.threshold ?? 5,
        halfOpenAfterMs: 60_000,
      })
    : null;
  const telematics = new SimulatedTelematics(clock, policy, { slowMs: options.slowMs ?? 50 });
  return { clock, telematics, integrations };
}

async function failure(promise: Promise<unknown>): Promise<TelematicsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TelematicsError);
    return error as TelematicsError;
  }
  throw new Error('expected a TelematicsError');
}

describe('SimulatedTelematics', () => {
  it('starts each car parked and locked, its readings fixed by its id', async () => {
    const a = fleet().telematics;
    const b = fleet().telematics;
    expect(a.inspect('VAN-1')).toEqual(b.inspect('VAN-1'));
    const van = a.inspect('VAN-1');
    expect(van.locked).toBe(true);
    expect(van.odometerKm).toBeGreaterThanOrEqual(5_000);
    expect(van.odometerKm).toBeLessThan(120_000);
    expect(van.energyLevelPercent).toBeGreaterThanOrEqual(70);
    expect(van.energyLevelPercent).toBeLessThanOrEqual(100);
    expect(a.inspect('CAR-2')).not.toEqual(van);
  });

  it('unlocks with the current readings; time open is driving; the lock records where and at what readings', async () => {
    const { clock, telematics } = fleet();
    telematics.setReadings('VAN-1', { odometerKm: 42_000, energyLevelPercent: 80 });
    const unlocked = await telematics.unlock('VAN-1', { idempotencyKey: 'u1' });
    expect(unlocked).toEqual({ unlockedAt: expect.any(Date), odometerKm: 42_000, energyLevelPercent: 80 });
    expect(Math.abs(unlocked.unlockedAt.getTime() - clock.nowMs())).toBeLessThan(1_000);
    expect(telematics.inspect('VAN-1').locked).toBe(false);

    clock.advance(10 * HOUR);
    const km = 10 * SIMULATED_KM_PER_HOUR;
    const locked = await telematics.lock('VAN-1', { idempotencyKey: 'l1' });
    expect(locked).toEqual({
      lockedAt: expect.any(Date),
      odometerKm: 42_000 + km,
      energyLevelPercent: Math.round(80 - km * SIMULATED_PERCENT_PER_KM),
    });
    const last = await telematics.lastLock('VAN-1');
    expect(last).toMatchObject({ ...locked });
    expect(Math.abs(last!.latitude! - 52.38)).toBeLessThan(0.1);
    expect(Math.abs(last!.longitude! - 4.9)).toBeLessThan(0.1);

    // Parked and locked: nothing moves until the next unlock.
    clock.advance(5 * HOUR);
    expect(await telematics.unlock('VAN-1', { idempotencyKey: 'u2' })).toMatchObject({ odometerKm: 42_000 + km });
  });

  it('opens a car again while it is open, adding the distance driven since', async () => {
    const { clock, telematics } = fleet();
    telematics.setReadings('CAR-1', { odometerKm: 1_000, energyLevelPercent: 90 });
    await telematics.unlock('CAR-1', { idempotencyKey: 'a' });
    clock.advance(2 * HOUR);
    expect(await telematics.unlock('CAR-1', { idempotencyKey: 'b' })).toMatchObject({
      odometerKm: 1_000 + 2 * SIMULATED_KM_PER_HOUR,
    });
  });

  it('answers a repeated key with the first result, once; a key reused for another command is refused', async () => {
    const { clock, telematics } = fleet();
    const first = await telematics.unlock('VAN-1', { idempotencyKey: 'same' });
    clock.advance(3 * HOUR);
    expect(await telematics.unlock('VAN-1', { idempotencyKey: 'same' })).toEqual(first);
    expect((await failure(telematics.unlock('VAN-2', { idempotencyKey: 'same' }))).kind).toBe('unavailable');
    expect((await failure(telematics.lock('VAN-1', { idempotencyKey: 'same' }))).kind).toBe('unavailable');
    await expect(telematics.unlock('VAN-1', { idempotencyKey: 'has space' })).rejects.toBeInstanceOf(RangeError);
    await expect(telematics.unlock('', { idempotencyKey: 'k' })).rejects.toBeInstanceOf(RangeError);
  });

  it("locks an open car when asked for its last lock (the renter walked away), so a return sees the rental's readings", async () => {
    const { clock, telematics } = fleet();
    telematics.setReadings('VAN-3', { odometerKm: 7_000, energyLevelPercent: 90 });
    const before = await telematics.lastLock('VAN-3');
    expect(before).toMatchObject({ odometerKm: 7_000, energyLevelPercent: 90 }); // it was parked so
    await telematics.unlock('VAN-3', { idempotencyKey: 'u' });
    clock.advance(24 * HOUR);
    const last = await telematics.lastLock('VAN-3');
    expect(last).toMatchObject({ odometerKm: 7_000 + 24 * SIMULATED_KM_PER_HOUR });
    expect(Math.abs(last!.lockedAt.getTime() - clock.nowMs())).toBeLessThan(1_000);
    expect(last!.energyLevelPercent).toBe(Math.round(90 - 24 * SIMULATED_KM_PER_HOUR * SIMULATED_PERCENT_PER_KM));
    expect(telematics.inspect('VAN-3').locked).toBe(true);
  });

  it('fills up when the level would drop below 10 %, so a long rental never reads empty', async () => {
    const { clock, telematics } = fleet();
    telematics.setReadings('CAR-9', { odometerKm: 0, energyLevelPercent: 20 });
    await telematics.unlock('CAR-9', { idempotencyKey: 'u' });
    clock.advance((100 / SIMULATED_KM_PER_HOUR) * HOUR); // 100 km: 20 % of energy, 10 % was left to use
    const locked = await telematics.lock('CAR-9', { idempotencyKey: 'l' });
    expect(locked).toMatchObject({ odometerKm: 100, energyLevelPercent: 90 });
  });

  it('fails, refuses and stalls for the vehicle ids that say so; reports nothing for no-readings', async () => {
    const { telematics } = fleet({ slowMs: 30 });
    const fails = await failure(telematics.unlock('VAN-unlock-fails', { idempotencyKey: 'k1' }));
    expect(fails.kind).toBe('unavailable');
    const refused = await failure(telematics.unlock('VAN-UNLOCK-REFUSED-1', { idempotencyKey: 'k2' }));
    expect(refused).toMatchObject({ kind: 'refused', reason: 'immobilised' });
    const started = performance.now();
    await expect(telematics.unlock('van-unlock-slow', { idempotencyKey: 'k3' })).resolves.toMatchObject({
      odometerKm: expect.any(Number),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await telematics.unlock('van-no-readings', { idempotencyKey: 'k4' })).toMatchObject({
      odometerKm: null,
      energyLevelPercent: null,
    });
    expect(await telematics.lastLock('van-no-readings')).toBeNull();
  });

  it('runs under the telematics policy: a slow car times out within the budget; refusals do not open the breaker, failures do', async () => {
    const { telematics, integrations } = fleet({ slowMs: 5_000, policy: { timeoutMs: 100, threshold: 3 } });
    const started = performance.now();
    expect((await failure(telematics.unlock('van-unlock-slow', { idempotencyKey: 's' }))).kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1_000);

    for (let i = 0; i < 5; i++) await failure(telematics.unlock('van-unlock-refused', { idempotencyKey: `r${i}` }));
    expect(integrations.states()[0]).toMatchObject({ name: 'telematics', breakerState: 'closed' });

    for (let i = 0; i < 3; i++) await failure(telematics.unlock('van-unlock-fails', { idempotencyKey: `f${i}` }));
    expect(integrations.states()[0]).toMatchObject({
      breakerState: 'open',
      lastError: { message: expect.stringContaining('reached') },
    });
    const fast = await failure(telematics.unlock('VAN-OK', { idempotencyKey: 'ok' }));
    expect(fast.kind).toBe('unavailable');
    expect(fast.message).toMatch(/circuit breaker open/);
  });
});
