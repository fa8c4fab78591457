import { randomUUID } from 'node:crypto';
import { signFleetEvent } from '../../src/fleet/fleet-signature';
import { createOffering, createUnit, VEHICLE_POLICY } from '../factories/inventory.factory';
import type { TestApp } from './test-app';

export const DAY = 86_400_000;

/** A vehicle offering with `units` vans, each with its own fleet vehicle id. */
export async function fleetOffering(t: TestApp, units: number) {
  const offering = await createOffering(t.dataSource, {
    kind: 'rental',
    basePriceCents: 9000,
    vehicle: true,
    rentalPolicy: VEHICLE_POLICY,
  });
  const vans = [];
  for (let n = 1; n <= units; n++) {
    const tag = randomUUID().slice(0, 8);
    vans.push(
      await createUnit(t.dataSource, offering.id, `Van ${n}`, 'available', {
        plate: `FL-${tag}`,
        model: 'Renault Master',
        seats: 9,
        energy: 'fuel',
        fleetVehicleId: `fleet-${tag}`,
      }),
    );
  }
  return { offeringId: offering.id, units: vans };
}

/** The UTC date `days` from now (the database's clock: holds need future dates). */
export const day = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
/** Midnight UTC of that date, as an ISO instant (allocations run from 00:00 UTC of the booked dates). */
export const at = (days: number) => `${day(days)}T00:00:00.000Z`;

/** A maintenance event. */
export function maintenance(
  vehicleId: string,
  fields: { maintenanceId: string; from: string; to: string; occurredAt?: string; cancelled?: boolean },
) {
  return {
    id: `evt-${randomUUID()}`,
    type: 'MaintenanceScheduled',
    occurredAt: fields.occurredAt ?? new Date().toISOString(),
    vehicleId,
    maintenanceId: fields.maintenanceId,
    from: fields.from,
    to: fields.to,
    reason: 'brake pads',
    ...(fields.cancelled !== undefined ? { cancelled: fields.cancelled } : {}),
  };
}

/** A status event. */
export function statusChanged(vehicleId: string, status: string, occurredAt: string, id = `evt-${randomUUID()}`) {
  return { id, type: 'VehicleStatusChanged', occurredAt, vehicleId, status };
}

/** POSTs an event signed with `secret` (the test app's FLEET_WEBHOOK_SECRET's first entry by default). */
export function postFleetEvent(t: TestApp, event: unknown, options: { secret?: string; at?: number; body?: string } = {}) {
  const body = options.body ?? JSON.stringify(event);
  const secret = options.secret ?? t.config.FLEET_WEBHOOK_SECRET.split(',')[0].trim();
  const header = signFleetEvent(body, secret, options.at ?? Math.floor(t.clock.nowMs() / 1000));
  return t.http
    .post('/v1/integrations/fleet/events')
    .set('Content-Type', 'application/json')
    .set('X-Fleet-Signature', header)
    .send(body);
}

/** The live allocations of a unit, by start. */
export async function liveAllocations(t: TestApp, unitId: string) {
  return (await t.dataSource.query(
    `SELECT id, purpose, reservation_id, state, maintenance_id FROM allocations
      WHERE unit_id = $1 AND state <> 'released' ORDER BY lower(period), id`,
    [unitId],
  )) as { id: string; purpose: string; reservation_id: string | null; state: string; maintenance_id: string | null }[];
}

/** Holds `offeringId` for `[start, end)` days from now as `user` (a verified customer on the simulated service). */
export function holdVehicle(t: TestApp, user: string, offeringId: string, start: number, end: number) {
  return t.http
    .post('/v1/reservations/hold')
    .set('Authorization', `Bearer ${t.token(user)}`)
    .set('X-Idempotency-Key', randomUUID())
    .send({
      items: [{ offeringId, startDate: day(start), endDate: day(end) }],
      guestName: 'Fleet Tester',
      guestEmail: `${user}@example.com`,
    });
}
