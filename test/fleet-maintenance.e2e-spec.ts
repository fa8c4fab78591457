import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { RentalDriver } from './support/rental-driver';
import { createTestApp, type TestApp } from './support/test-app';
import { at, fleetOffering, holdVehicle, liveAllocations, maintenance, postFleetEvent } from './support/fleet-helpers';

const CARD = '4242424242424242';

/**
 * MaintenanceScheduled (DESIGN.md section 12, invariant 7): the block lands and keeps
 * holds off; cancelling lifts it; a confirmed booking it overlaps moves to a free unit of
 * the offering (emailed) or, with none free, is displaced (flagged, support case, email);
 * an unpaid hold with nowhere to go ends.
 */
describe('fleet maintenance blocks', () => {
  let t: TestApp;
  let driver: RentalDriver;
  const q = <T>(sql: string, params: unknown[] = []) => t.dataSource.query(sql, params) as Promise<T[]>;
  const templates = async (reservationId: string) =>
    (
      await q<{ template: string }>(`SELECT template FROM notifications WHERE reservation_id = $1 ORDER BY created_at`, [
        reservationId,
      ])
    ).map((n) => n.template);
  const unitOf = async (reservationId: string) =>
    (
      await q<{ unit_id: string; state: string; release_reason: string | null }>(
        `SELECT unit_id, state, release_reason FROM allocations WHERE reservation_id = $1 AND resource_type = 'unit' ORDER BY updated_at DESC`,
        [reservationId],
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp({ env: { FLEET_API_MODE: 'off' } });
    driver = new RentalDriver(t);
  });
  afterEach(async () => {
    t.clock.reset();
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  });
  afterAll(async () => t?.close());

  it('lands a block that keeps holds off the unit, reschedules it, ignores an older version, and lifts it on cancel', async () => {
    const { offeringId, units } = await fleetOffering(t, 1);
    const van = units[0];
    const scheduled = maintenance(van.fleetVehicleId!, {
      maintenanceId: 'm-land',
      from: at(3),
      to: at(6),
      occurredAt: new Date(Date.now() - 3000).toISOString(),
    });
    expect((await postFleetEvent(t, scheduled).expect(200)).body.outcome).toBe('applied');
    expect(await liveAllocations(t, van.id)).toEqual([
      expect.objectContaining({ purpose: 'maintenance', maintenance_id: 'm-land', reservation_id: null }),
    ]);
    expect((await holdVehicle(t, 'blocked-1', offeringId, 4, 5)).status).toBe(409);
    const free = await holdVehicle(t, 'free-1', offeringId, 7, 9);
    expect(free.status).toBe(200);

    // Rescheduled to days 10-12: the old dates free up, the new ones are blocked.
    const moved = maintenance(van.fleetVehicleId!, {
      maintenanceId: 'm-land',
      from: at(10),
      to: at(12),
      occurredAt: new Date(Date.now() - 2000).toISOString(),
    });
    await postFleetEvent(t, moved).expect(200);
    // An older version of the same maintenance arriving late changes nothing.
    const older = maintenance(van.fleetVehicleId!, {
      maintenanceId: 'm-land',
      from: at(1),
      to: at(2),
      occurredAt: new Date(Date.now() - 2500).toISOString(),
    });
    expect((await postFleetEvent(t, older).expect(200)).body.outcome).toBe('stale');
    const blocks = await q<{ period: string; release_reason: string | null; state: string }>(
      `SELECT lower(period)::text AS period, release_reason, state FROM allocations WHERE maintenance_id = 'm-land' ORDER BY created_at`,
    );
    expect(blocks).toEqual([
      expect.objectContaining({ state: 'released', release_reason: 'superseded' }),
      expect.objectContaining({ state: 'committed', release_reason: null }),
    ]);
    expect((await holdVehicle(t, 'blocked-2', offeringId, 4, 5)).status).toBe(200);
    expect((await holdVehicle(t, 'blocked-3', offeringId, 11, 12)).status).toBe(409);

    const cancel = maintenance(van.fleetVehicleId!, { maintenanceId: 'm-land', from: at(10), to: at(12), cancelled: true });
    expect((await postFleetEvent(t, cancel).expect(200)).body.outcome).toBe('applied');
    expect((await liveAllocations(t, van.id)).filter((a) => a.purpose === 'maintenance')).toEqual([]);
    expect(
      (
        await q<{ release_reason: string }>(
          `SELECT release_reason FROM allocations WHERE maintenance_id = 'm-land' AND state = 'released' ORDER BY updated_at DESC LIMIT 1`,
        )
      )[0].release_reason,
    ).toBe('cancelled');
    expect((await holdVehicle(t, 'after-cancel', offeringId, 11, 12)).status).toBe(200);
  });

  it('moves a confirmed booking to a free van of the same offering in the same transaction, and emails the customer', async () => {
    const { offeringId, units } = await fleetOffering(t, 2);
    const { id } = await driver.book('mover', offeringId, 1, 2, CARD);
    const before = await unitOf(id);
    const other = units.find((u) => u.id !== before.unit_id)!;
    const taken = units.find((u) => u.id === before.unit_id)!;
    const rentalBefore = await driver.rental(id);
    expect(rentalBefore.vehicle.unitId).toBe(taken.id);

    const event = maintenance(taken.fleetVehicleId!, { maintenanceId: 'm-move', from: at(-1), to: at(8) });
    const res = await postFleetEvent(t, event).expect(200);
    expect(res.body.outcome).toBe('applied');
    expect(await unitOf(id)).toMatchObject({ unit_id: other.id, state: 'committed' });
    expect(await liveAllocations(t, taken.id)).toEqual([
      expect.objectContaining({ purpose: 'maintenance', maintenance_id: 'm-move' }),
    ]);
    expect(await driver.reservationStatus(id)).toBe('confirmed');
    expect(await templates(id)).toContain('booking_moved');
    expect((await driver.rental(id)).vehicle.unitId).toBe(other.id);
    const [detail] = await q<{ detail: string }>(`SELECT detail FROM fleet_events WHERE id = $1`, [event.id]);
    expect(detail.detail).toBe('maintenance placed (1 moved, 0 displaced)');
  });

  it('displaces a confirmed booking when no van is free: released as displaced, flagged, a support case and an email', async () => {
    const { units, offeringId } = await fleetOffering(t, 1);
    const { id } = await driver.book('displaced', offeringId, 1, 2, CARD);
    const van = units[0];
    const event = maintenance(van.fleetVehicleId!, { maintenanceId: 'm-displace', from: at(-1), to: at(8) });
    expect((await postFleetEvent(t, event).expect(200)).body.outcome).toBe('applied');

    expect(await unitOf(id)).toMatchObject({ unit_id: van.id, state: 'released', release_reason: 'displaced' });
    expect(await liveAllocations(t, van.id)).toEqual([
      expect.objectContaining({ purpose: 'maintenance', maintenance_id: 'm-displace' }),
    ]);
    const [reservation] = await q<{ status: string; attention_reason: string; flagged_at: Date | null }>(
      `SELECT status, attention_reason, flagged_at FROM reservations WHERE id = $1`,
      [id],
    );
    expect(reservation).toMatchObject({
      status: 'confirmed',
      attention_reason: 'vehicle_displaced',
      flagged_at: expect.any(Date),
    });
    const cases = await q<{ kind: string; status: string; details: Record<string, unknown> }>(
      `SELECT kind, status, details FROM support_cases WHERE reservation_id = $1`,
      [id],
    );
    expect(cases).toEqual([
      {
        kind: 'vehicle_displaced',
        status: 'open',
        details: expect.objectContaining({ maintenanceId: 'm-displace', status: 'confirmed' }),
      },
    ]);
    expect(await templates(id)).toContain('booking_displaced');
    const view = await t.http.get(`/v1/reservations/${id}`).set(driver.admin()).expect(200);
    expect(view.body.attention).toEqual({ reason: 'vehicle_displaced', flaggedAt: expect.any(String) });
    // The blocked van does not open for the displaced booking.
    const rental = await driver.rental(id);
    t.clock.set(Date.parse(rental.pickupAt) - 10 * 60_000);
    const unlock = await t.http
      .post(`/v1/rentals/${id}/unlock`)
      .set(driver.auth('displaced'))
      .set('X-Idempotency-Key', randomUUID());
    expect(unlock.body).toMatchObject({ error: 'VEHICLE_UNAVAILABLE', message: expect.stringContaining('Maintenance') });
  });

  it('ends an unpaid hold with nowhere to go (expired, VEHICLE_UNAVAILABLE), without email or case', async () => {
    const { units, offeringId } = await fleetOffering(t, 1);
    const hold = await holdVehicle(t, 'unpaid', offeringId, 2, 4).expect(200);
    const id = hold.body.reservation.id as string;
    await postFleetEvent(t, maintenance(units[0].fleetVehicleId!, { maintenanceId: 'm-unpaid', from: at(3), to: at(5) })).expect(
      200,
    );
    const [row] = await q<{ status: string; status_reason: string; flagged_at: Date | null }>(
      `SELECT status, status_reason, flagged_at FROM reservations WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ status: 'expired', status_reason: 'VEHICLE_UNAVAILABLE', flagged_at: null });
    expect(await templates(id)).toEqual([]);
    expect(await q(`SELECT 1 FROM support_cases WHERE reservation_id = $1`, [id])).toEqual([]);
    const view = await t.http
      .get(`/v1/reservations/${id}`)
      .set('Authorization', `Bearer ${t.token('unpaid')}`)
      .expect(200);
    expect(view.body).toMatchObject({ status: 'expired', statusReason: 'VEHICLE_UNAVAILABLE' });
  });

  it('a block racing 50 holds on its van always lands; each winning hold is kept clear of it (moved or displaced), losers get 409', async () => {
    const { units, offeringId } = await fleetOffering(t, 3);
    // The van a first hold gets is the one every first pick takes (lowest id): block that one.
    const target = [...units].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    const ranges = Array.from({ length: 50 }, (_, i) => [1 + (i % 6), 3 + (i % 6) + (i % 3)] as const);
    const block = maintenance(target.fleetVehicleId!, { maintenanceId: 'm-race', from: at(2), to: at(7) });
    const holds = ranges.map(([s, e], i) => holdVehicle(t, `racer-${i}`, offeringId, s, e).then((r) => r));
    const landing = new Promise((resolve) => setTimeout(resolve, 15)).then(() => postFleetEvent(t, block));
    const [results, landed] = await Promise.all([Promise.all(holds), landing]);

    expect(landed.status).toBe(200);
    expect(landed.body.outcome).toBe('applied');
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const live = await liveAllocations(t, target.id);
    expect(live.filter((a) => a.purpose === 'maintenance').map((a) => a.maintenance_id)).toEqual(['m-race']);
    // Nothing booked on the van overlaps the block (the invariants check after each test says the rest).
    const clash = await q(
      `SELECT id FROM allocations WHERE unit_id = $1 AND purpose = 'booking' AND state <> 'released' AND period && tstzrange($2, $3)`,
      [target.id, at(2), at(7)],
    );
    expect(clash).toEqual([]);
    const winners = results.filter((x) => x.status === 200).map((r) => r.body.reservation.id as string);
    expect(winners.length).toBeGreaterThan(0);
    let displaced = 0;
    for (const id of winners) {
      const allocation = await unitOf(id);
      if (allocation.state === 'held') continue;
      // Not live: displaced by the block, and the hold ended for it.
      expect(allocation).toMatchObject({ state: 'released', release_reason: 'displaced', unit_id: target.id });
      expect(await driver.reservationStatus(id)).toBe('expired');
      displaced++;
    }
    // Moved holds were rewritten in the block's own transaction: the same now() as the block's row.
    const moved = await q<{ unit_id: string }>(
      `SELECT a.unit_id FROM allocations a JOIN allocations m ON m.maintenance_id = 'm-race' AND m.state <> 'released'
        WHERE a.reservation_id = ANY($1::uuid[]) AND a.state = 'held' AND a.updated_at = m.created_at`,
      [winners],
    );
    expect(moved.filter((a) => a.unit_id === target.id)).toEqual([]);
    const [summary] = await q<{ detail: string }>(`SELECT detail FROM fleet_events WHERE id = $1`, [block.id]);
    expect(summary.detail).toBe(`maintenance placed (${moved.length} moved, ${displaced} displaced)`);
  });
});
