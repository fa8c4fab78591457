import { describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import { ImsRefusedError, ImsRejectedError, ImsUnavailableError } from './ims.port';
import { SimulatedIms } from './simulated-ims';

const MINUTE = 60_000;

function ims(): { sim: SimulatedIms; clock: TestClock } {
  const clock = new TestClock();
  clock.set(Date.UTC(2026, 11, 1, 9));
  const sim = new SimulatedIms(clock);
  sim.seed('carrier-m', { stock: 3 });
  sim.seed('carrier-rent', { units: 2 });
  return { sim, clock };
}

describe('SimulatedIms', () => {
  it('counts stock down by reservations, and a reservation lapses after its duration (on the Clock)', async () => {
    const { sim, clock } = ims();
    const before = clock.nowMs();
    const r = await sim.reserve({ itemId: 'carrier-m', quantity: 2 }, 'res-1', 30);
    expect(r.reservationId).toBe('sim-res-1');
    expect(r.expiresAt.getTime() - before - 30 * MINUTE).toBeGreaterThanOrEqual(0);
    expect(r.expiresAt.getTime() - before - 30 * MINUTE).toBeLessThan(1000);
    expect(await sim.stock('carrier-m')).toEqual({ itemId: 'carrier-m', available: 1 });
    await expect(sim.reserve({ itemId: 'carrier-m', quantity: 2 }, 'res-2', 30)).rejects.toBeInstanceOf(ImsRefusedError);
    clock.advance(30 * MINUTE + 1000);
    expect((await sim.stock('carrier-m')).available).toBe(3);
    await expect(sim.confirmOrder('res-1', [r.reservationId])).rejects.toMatchObject({ status: 410 });
  });

  it('answers the same reservation to the same reference and item (a retried reserve takes nothing twice)', async () => {
    const { sim } = ims();
    const first = await sim.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
    const again = await sim.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
    expect(again).toEqual(first);
    expect((await sim.stock('carrier-m')).available).toBe(2);
  });

  it('gives availability by date range over a fixed number of units, half-open ranges', async () => {
    const { sim } = ims();
    await sim.reserve({ itemId: 'carrier-rent', startDate: '2026-12-10', endDate: '2026-12-13' }, 'a', 30);
    await sim.reserve({ itemId: 'carrier-rent', startDate: '2026-12-12', endDate: '2026-12-15' }, 'b', 30);
    expect(await sim.availability('carrier-rent', '2026-12-12', '2026-12-13')).toEqual({
      itemId: 'carrier-rent',
      available: false,
      unitsAvailable: 0,
    });
    expect((await sim.availability('carrier-rent', '2026-12-13', '2026-12-14')).unitsAvailable).toBe(1);
    expect((await sim.availability('carrier-rent', '2026-12-01', '2026-12-10')).unitsAvailable).toBe(2);
    await expect(
      sim.reserve({ itemId: 'carrier-rent', startDate: '2026-12-11', endDate: '2026-12-14' }, 'c', 30),
    ).rejects.toBeInstanceOf(ImsRefusedError);
    await sim.reserve({ itemId: 'carrier-rent', startDate: '2026-12-15', endDate: '2026-12-16' }, 'd', 30);
    await expect(sim.availability('carrier-rent', '2026-12-13', '2026-12-13')).rejects.toBeInstanceOf(RangeError);
    await expect(sim.availability('carrier-rent', '2026-02-30', '2026-03-02')).rejects.toBeInstanceOf(RangeError);
  });

  it('never reserves the last unit twice under concurrent calls', async () => {
    const { sim } = ims();
    sim.seed('last', { stock: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => sim.reserve({ itemId: 'last', quantity: 1 }, `res-${i}`, 30)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refused).toHaveLength(19);
    for (const reason of refused) expect(reason).toBeInstanceOf(ImsRefusedError);
    expect((await sim.stock('last')).available).toBe(0);
  });

  it('confirms an order idempotently by reference; a confirmed reservation never lapses', async () => {
    const { sim, clock } = ims();
    const r = await sim.reserve({ itemId: 'carrier-m', quantity: 1 }, 'res-1', 30);
    const order = await sim.confirmOrder('res-1', [r.reservationId]);
    expect(await sim.confirmOrder('res-1', [r.reservationId])).toEqual(order);
    expect(sim.orderCount()).toBe(1);
    clock.advance(24 * 60 * MINUTE);
    expect((await sim.stock('carrier-m')).available).toBe(2);
    await expect(sim.confirmOrder('res-1', ['sim-res-99'])).rejects.toMatchObject({ status: 409 });
  });

  it("rejects (409) another reference's or a released reservation, and release frees the stock", async () => {
    const { sim } = ims();
    const r = await sim.reserve({ itemId: 'carrier-m', quantity: 3 }, 'res-1', 30);
    await expect(sim.confirmOrder('res-2', [r.reservationId])).rejects.toEqual(expect.any(ImsRejectedError));
    await sim.release(r.reservationId);
    await sim.release(r.reservationId); // again: nothing to do
    expect((await sim.stock('carrier-m')).available).toBe(3);
    await expect(sim.confirmOrder('res-1', [r.reservationId])).rejects.toMatchObject({ status: 409 });
  });

  it('does not know unseeded items, nor a product asked as a rental', async () => {
    const { sim } = ims();
    await expect(sim.stock('nope')).rejects.toMatchObject({ reason: 'unknown_item' });
    await expect(sim.availability('carrier-m', '2026-12-01', '2026-12-02')).rejects.toBeInstanceOf(ImsUnavailableError);
    expect(sim.breakerOpen()).toBe(false);
    expect(() => sim.seed('x', { stock: -1 })).toThrow(RangeError);
  });
});
