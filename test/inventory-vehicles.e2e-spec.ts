import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RentalPolicy } from '../src/catalog/rental-policy';
import type { InventoryService } from '../src/inventory/inventory.service';
import type { FleetStatus } from '../src/inventory/inventory.types';
import { createOffering, createSlot, createUnit } from './factories/inventory.factory';
import { expectError, fields, useInventoryApp } from './support/inventory-app';
import type { TestApp } from './support/test-app';

const POLICY: RentalPolicy = {
  pickupTime: '09:00',
  returnTime: '09:00',
  timeZone: 'Europe/Paris',
  deposit: 80000,
  cancellationFee: 5000,
  freeCancellationHours: 48,
  lateFeePerHour: 2500,
  refuelFeePerPercent: 150,
  kmAllowancePerDay: 250,
  feePerExtraKm: 35,
};
const VEHICLE = { plate: 'AB-123-CD', model: 'Renault Trafic', seats: 9, energy: 'fuel' as const };
const DAY_MS = 86_400_000;
/** Midnight UTC, `days` from today. */
const day = (days: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + days * DAY_MS);
let plates = 0;
/** A plate no other unit of this run has. */
const newPlate = () => `TS-${String(++plates).padStart(3, '0')}-${randomUUID().slice(0, 2).toUpperCase().replace(/\d/g, 'X')}`;

/**
 * Vehicle units (DESIGN.md sections 3 and 12, issue 14 item 1): their fields on the admin
 * routes, the fleet status route, holds that never take a unit in maintenance or out of
 * service, and the reads other modules use (InventoryService.getUnit, unitForReservationItem).
 */
describe('inventory: vehicles', () => {
  let t: TestApp;
  let inventory: InventoryService;
  let admin: string;
  let user: string;
  const app = useInventoryApp();
  beforeAll(() => {
    ({ t, inventory, admin, user } = app);
  });
  const { allocate, holdUnit, release, commit, failure, invariants } = app;

  const vehicleOffering = () => createOffering(t.dataSource, { kind: 'rental', vehicle: true, rentalPolicy: POLICY });
  const postUnit = (offeringId: string, body: object, token = admin) =>
    t.http.post(`/v1/admin/offerings/${offeringId}/units`).set('Authorization', `Bearer ${token}`).send(body);
  const listUnits = (offeringId: string, token = admin) =>
    t.http.get(`/v1/admin/offerings/${offeringId}/units`).set('Authorization', `Bearer ${token}`);
  const putStatus = (unitId: string, body: object, token = admin) =>
    t.http.put(`/v1/admin/rental-units/${unitId}/fleet-status`).set('Authorization', `Bearer ${token}`).send(body);
  const auditOf = async (unitId: string) =>
    (
      await t.dataSource.query(
        `SELECT actor, action, before, after FROM audit_log WHERE record_type = 'rental_unit' AND record_id = $1 ORDER BY occurred_at, id`,
        [unitId],
      )
    ).map((row: { actor: string; action: string; before: { fleetStatus?: string } | null; after: { fleetStatus: string } }) => ({
      actor: row.actor,
      action: row.action,
      before: row.before?.fleetStatus ?? null,
      after: row.after.fleetStatus,
    }));
  /** A vehicle offering with units in these fleet statuses (labels U0, U1...). */
  async function fleet(statuses: FleetStatus[]) {
    const offering = await vehicleOffering();
    const units = [];
    for (const [i, fleetStatus] of statuses.entries()) {
      const plate = newPlate();
      units.push(
        await createUnit(t.dataSource, offering.id, `U${i}`, 'available', {
          ...VEHICLE,
          plate,
          fleetVehicleId: plate,
          fleetStatus,
        }),
      );
    }
    return { offering, units };
  }

  describe('admin: vehicle units', () => {
    it('adds a vehicle with its plate (upper-cased), model, seats and energy; the fleet id defaults to the plate', async () => {
      const van = await vehicleOffering();
      const res = await postUnit(van.id, { label: 'Van 1', ...VEHICLE, plate: ' ab 123 cd ' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        offeringId: van.id,
        label: 'Van 1',
        status: 'available',
        plate: 'AB 123 CD',
        model: 'Renault Trafic',
        seats: 9,
        energy: 'fuel',
        fleetVehicleId: 'AB 123 CD',
        fleetStatus: 'available',
      });
      const own = await postUnit(van.id, {
        label: 'Van 2',
        ...VEHICLE,
        plate: 'EF-456-GH',
        energy: 'electric',
        fleetVehicleId: 'FLEET-0042',
      });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({ plate: 'EF-456-GH', energy: 'electric', fleetVehicleId: 'FLEET-0042' });
      const listed = await listUnits(van.id).expect(200);
      expect(listed.body).toEqual([res.body, own.body]);
      expect(await auditOf(res.body.id)).toEqual([{ actor: 'root', action: 'create', before: null, after: 'available' }]);
    });

    it('needs plate, model, seats and energy for a vehicle, and takes none of them for another rental', async () => {
      const van = await vehicleOffering();
      const missing = await postUnit(van.id, { label: 'Van' });
      expectError(missing, 400, 'VALIDATION_FAILED');
      expect(fields(missing)).toEqual(['plate', 'model', 'seats', 'energy']);
      expect(fields(await postUnit(van.id, { label: 'Van', ...VEHICLE, seats: undefined }))).toEqual(['seats']);

      const carriers = await createOffering(t.dataSource, { kind: 'rental' });
      const misplaced = await postUnit(carriers.id, { label: 'Carrier', plate: 'AB-1', fleetVehicleId: 'X1' });
      expectError(misplaced, 400, 'VALIDATION_FAILED');
      expect(fields(misplaced)).toEqual(['plate', 'fleetVehicleId']);
      expect((await postUnit(carriers.id, { label: 'Carrier' }).expect(201)).body).toMatchObject({
        plate: null,
        model: null,
        seats: null,
        energy: null,
        fleetVehicleId: null,
        fleetStatus: 'available',
      });
    });

    it('validates each vehicle field', async () => {
      const van = await vehicleOffering();
      const cases: [object, string][] = [
        [{ plate: 'AB--123' }, 'plate'],
        [{ plate: 'AB_123' }, 'plate'],
        [{ plate: 'A'.repeat(17) }, 'plate'],
        [{ plate: '' }, 'plate'],
        [{ plate: 123 }, 'plate'],
        [{ plate: null }, 'plate'],
        [{ model: '   ' }, 'model'],
        [{ model: 'x'.repeat(121) }, 'model'],
        [{ seats: 0 }, 'seats'],
        [{ seats: 100 }, 'seats'],
        [{ seats: 2.5 }, 'seats'],
        [{ seats: '9' }, 'seats'],
        [{ energy: 'diesel' }, 'energy'],
        [{ energy: null }, 'energy'],
        [{ fleetVehicleId: 'a/b' }, 'fleetVehicleId'],
        [{ fleetVehicleId: 'x'.repeat(129) }, 'fleetVehicleId'],
        [{ fleetStatus: 'maintenance' }, 'fleetStatus'], // set through its own route
        [{ vin: 'VF1' }, 'vin'],
      ];
      for (const [change, field] of cases) {
        const res = await postUnit(van.id, { label: 'Van', ...VEHICLE, plate: newPlate(), ...change });
        expect({ change, status: res.status, fields: [...new Set(fields(res))] }).toEqual({
          change,
          status: 400,
          fields: [field],
        });
      }
      const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM rental_units WHERE offering_id = $1', [
        van.id,
      ])) as {
        n: number;
      }[];
      expect(n).toBe(0);
    });

    it('refuses a fleet vehicle id another unit has, including a plate used as one, and writes nothing', async () => {
      const van = await vehicleOffering();
      const plate = newPlate();
      await postUnit(van.id, { label: 'Van 1', ...VEHICLE, plate }).expect(201);
      const samePlate = await postUnit(van.id, { label: 'Van 2', ...VEHICLE, plate });
      expectError(samePlate, 400, 'VALIDATION_FAILED');
      expect(fields(samePlate)).toEqual(['plate']);
      const other = await vehicleOffering(); // unique across offerings
      const sameId = await postUnit(other.id, { label: 'Van 3', ...VEHICLE, plate: newPlate(), fleetVehicleId: plate });
      expectError(sameId, 400, 'VALIDATION_FAILED');
      expect(fields(sameId)).toEqual(['fleetVehicleId']);
      // Same plate under another fleet id: the fleet says which vehicle is which.
      await postUnit(van.id, { label: 'Van 2', ...VEHICLE, plate, fleetVehicleId: `${plate}-B` }).expect(201);
      expect((await listUnits(van.id).expect(200)).body.map((u: { label: string }) => u.label)).toEqual(['Van 1', 'Van 2']);
      expect((await listUnits(other.id).expect(200)).body).toEqual([]);
    });

    it('lists units of rentals only, for admins only', async () => {
      expectError(await listUnits(randomUUID()), 404, 'NOT_FOUND');
      expectError(await listUnits('not-a-uuid'), 404, 'NOT_FOUND');
      expectError(await listUnits((await createOffering(t.dataSource, { kind: 'product' })).id), 404, 'NOT_FOUND');
      const van = await vehicleOffering();
      expectError(await listUnits(van.id, user), 403, 'FORBIDDEN');
      expectError(await postUnit(van.id, { label: 'Van', ...VEHICLE }, user), 403, 'FORBIDDEN');
    });
  });

  describe('admin: fleet status', () => {
    it('sets the fleet status, audited with before and after; the same status again records nothing', async () => {
      const { units } = await fleet(['available']);
      const res = await putStatus(units[0].id, { status: 'maintenance' }).expect(200);
      expect(res.body).toMatchObject({ id: units[0].id, fleetStatus: 'maintenance', status: 'available', plate: units[0].plate });
      await putStatus(units[0].id, { status: 'maintenance' }).expect(200);
      await putStatus(units[0].id, { status: 'in_use' }).expect(200);
      expect(await auditOf(units[0].id)).toEqual([
        { actor: 'root', action: 'fleet_status', before: 'available', after: 'maintenance' },
        { actor: 'root', action: 'fleet_status', before: 'maintenance', after: 'in_use' },
      ]);
      expect((await inventory.getUnit(units[0].id))?.fleetStatus).toBe('in_use');
    });

    it('answers 404 for an unknown or malformed unit, 400 for a bad status, 403 and 401 for non-admins', async () => {
      const { units } = await fleet(['available']);
      expectError(await putStatus(randomUUID(), { status: 'maintenance' }), 404, 'NOT_FOUND');
      expectError(await putStatus('van-1', { status: 'maintenance' }), 404, 'NOT_FOUND');
      for (const body of [
        { status: 'broken' },
        { status: 'MAINTENANCE' },
        {},
        { status: null },
        { status: 'available', why: 'x' },
      ]) {
        const res = await putStatus(units[0].id, body);
        expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'VALIDATION_FAILED' });
      }
      expectError(await putStatus(units[0].id, { status: 'out_of_service' }, user), 403, 'FORBIDDEN');
      expect(
        (await t.http.put(`/v1/admin/rental-units/${units[0].id}/fleet-status`).send({ status: 'out_of_service' })).status,
      ).toBe(401);
      expect((await inventory.getUnit(units[0].id))?.fleetStatus).toBe('available');
      expect(await auditOf(units[0].id)).toEqual([]);
    });
  });

  describe('holds and the fleet status', () => {
    it('never takes a unit in maintenance or out of service; takes one in use for free dates', async () => {
      const { offering, units } = await fleet(['maintenance', 'out_of_service', 'in_use', 'available']);
      const taken: string[] = [];
      for (let i = 0; i < 2; i++) {
        const itemId = randomUUID();
        await allocate(randomUUID(), [{ kind: 'unit', itemId, offeringId: offering.id, start: day(30), end: day(33) }]);
        taken.push((await inventory.unitForReservationItem(itemId))!.unit.label);
      }
      expect(taken.sort()).toEqual(['U2', 'U3']);
      const third = await failure(holdUnit(offering.id, day(30), day(33)));
      expect(third).toMatchObject({ code: 'NOT_ENOUGH_CAPACITY' });
      // Other dates: the same two units, never the other two.
      await holdUnit(offering.id, day(40), day(41));
      await holdUnit(offering.id, day(40), day(41));
      expect(await failure(holdUnit(offering.id, day(40), day(41)))).toMatchObject({ code: 'NOT_ENOUGH_CAPACITY' });
      const [{ n }] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM allocations WHERE unit_id = ANY($1::uuid[]) AND state <> 'released'`,
        [[units[0].id, units[1].id]],
      )) as { n: number }[];
      expect(n).toBe(0);
      expect(await invariants()).toEqual([]);
    });

    it('answers 409 NOT_ENOUGH_CAPACITY to a hold when every unit is in maintenance or out of service, and holds again once one is back', async () => {
      const { offering, units } = await fleet(['available', 'available']);
      const hold = () =>
        t.http
          .post('/v1/reservations/hold')
          .set('Authorization', `Bearer ${user}`)
          .set('X-Idempotency-Key', randomUUID())
          .send({
            items: [
              {
                offeringId: offering.id,
                startDate: day(50).toISOString().slice(0, 10),
                endDate: day(52).toISOString().slice(0, 10),
              },
            ],
            guestName: 'Renter',
            guestEmail: 'renter@example.com',
          });
      const held = await hold().expect(200);
      await putStatus(units[0].id, { status: 'maintenance' }).expect(200);
      await putStatus(units[1].id, { status: 'out_of_service' }).expect(200);
      expectError(await hold(), 409, 'NOT_ENOUGH_CAPACITY');
      // The hold made before keeps its unit: the status only stops new holds.
      const [{ state, unit_id: heldUnit }] = (await t.dataSource.query(
        `SELECT state, unit_id FROM allocations WHERE reservation_id = $1`,
        [held.body.reservation.id],
      )) as { state: string; unit_id: string }[];
      expect(state).toBe('held');

      const from = day(50).toISOString();
      const to = day(52).toISOString();
      const availability = await t.http.get(`/v1/catalog/offerings/${offering.id}/availability`).query({ from, to }).expect(200);
      expect(availability.body.availableUnits).toBe(0);
      expect(availability.body.units).toEqual([
        { id: units[0].id, label: 'U0', model: 'Renault Trafic', seats: 9, energy: 'fuel', available: false },
        { id: units[1].id, label: 'U1', model: 'Renault Trafic', seats: 9, energy: 'fuel', available: false },
      ]);

      const back = await t.http
        .get(`/v1/catalog/offerings/${offering.id}/availability`)
        .query({ from: day(60).toISOString(), to: day(61).toISOString() });
      expect(back.body.availableUnits).toBe(0); // free dates, but neither unit is in service
      // The unit the first hold has stays taken for those dates; the other one comes back.
      await putStatus(units.find((u) => u.id !== heldUnit)!.id, { status: 'available' }).expect(200);
      const again = await hold().expect(200);
      expect(again.body.reservation.status).toBe('held');
      expect(await invariants()).toEqual([]);
    });
  });

  describe('InventoryService: the unit of a reservation item', () => {
    it('reads units by id, with their vehicle and fleet fields; unknown and malformed ids are null or left out', async () => {
      const { units } = await fleet(['in_use', 'available']);
      expect(await inventory.getUnit(units[0].id)).toEqual({
        id: units[0].id,
        offeringId: units[0].offeringId,
        label: 'U0',
        status: 'available',
        plate: units[0].plate,
        model: 'Renault Trafic',
        seats: 9,
        energy: 'fuel',
        fleetVehicleId: units[0].plate,
        fleetStatus: 'in_use',
      });
      expect(await inventory.getUnit(randomUUID())).toBeNull();
      expect(await inventory.getUnit("'; DROP TABLE rental_units; --")).toBeNull();
      const many = await inventory.getUnits([units[1].id, units[0].id, randomUUID(), 'x', units[1].id]);
      expect([...many.keys()].sort()).toEqual([units[0].id, units[1].id].sort());
    });

    it("follows an item's allocation: held, committed, released; one per rental item of a reservation", async () => {
      const { offering } = await fleet(['available', 'available']);
      const tour = await createOffering(t.dataSource, { kind: 'experience' });
      const slot = await createSlot(t.dataSource, tour.id, { capacity: 5 });
      const reservationId = randomUUID();
      const [first, second, slotItem] = [randomUUID(), randomUUID(), randomUUID()];
      await allocate(reservationId, [
        { kind: 'unit', itemId: first, offeringId: offering.id, start: day(70), end: day(73) },
        { kind: 'unit', itemId: second, offeringId: offering.id, start: day(70), end: day(71) },
        { kind: 'slot', itemId: slotItem, slotId: slot.id, quantity: 1 },
      ]);
      const held = await inventory.unitForReservationItem(first);
      expect(held).toMatchObject({
        reservationId,
        reservationItemId: first,
        allocationState: 'held',
        start: day(70),
        end: day(73),
        unit: { offeringId: offering.id, model: 'Renault Trafic', fleetStatus: 'available' },
      });
      const both = await inventory.unitsOfReservation(reservationId);
      expect(both.map((u) => u.reservationItemId).sort()).toEqual([first, second].sort());
      expect(new Set(both.map((u) => u.unit.id)).size).toBe(2);

      await commit(reservationId);
      expect((await inventory.unitForReservationItem(first))?.allocationState).toBe('committed');
      await putStatus(held!.unit.id, { status: 'maintenance' }).expect(200);
      expect((await inventory.unitForReservationItem(first))?.unit.fleetStatus).toBe('maintenance');
      await release(reservationId);
      expect(await inventory.unitForReservationItem(first)).toMatchObject({
        allocationState: 'released',
        unit: { id: held!.unit.id },
      });

      expect(await inventory.unitForReservationItem(slotItem)).toBeNull();
      expect(await inventory.unitForReservationItem(randomUUID())).toBeNull();
      expect(await inventory.unitForReservationItem('nope')).toBeNull();
      expect(await inventory.unitsOfReservation(randomUUID())).toEqual([]);
      expect(await inventory.unitsOfReservation('nope')).toEqual([]);
    });

    it('prefers the live allocation over a released one of the same item', async () => {
      const { offering, units } = await fleet(['available', 'available']);
      const reservationId = randomUUID();
      const itemId = randomUUID();
      await allocate(reservationId, [{ kind: 'unit', itemId, offeringId: offering.id, start: day(80), end: day(82) }]);
      const first = (await inventory.unitForReservationItem(itemId))!.unit.id;
      await release(reservationId);
      // Taken again (an expired hold paid late is re-allocated), this time on the other unit.
      await putStatus(first, { status: 'maintenance' }).expect(200);
      await allocate(reservationId, [{ kind: 'unit', itemId, offeringId: offering.id, start: day(80), end: day(82) }]);
      const now = await inventory.unitForReservationItem(itemId);
      expect(now).toMatchObject({ allocationState: 'held', unit: { id: units.find((u) => u.id !== first)!.id } });
      expect(await inventory.unitsOfReservation(reservationId)).toEqual([now]);
    });
  });
});
