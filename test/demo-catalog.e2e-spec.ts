import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoCatalog } from '../src/demo/demo-catalog';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createTestApp, type TestApp } from './support/test-app';

describe('demo catalog', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { DEMO_CATALOG: 'true' } });
  });
  afterAll(async () => t.close());

  it('is loaded into an empty database at start-up and can be browsed and held at once', async () => {
    const list = await t.http.get('/v1/catalog/offerings?limit=50').expect(200);
    expect(list.body.offerings.map((o: { kind: string }) => o.kind).sort()).toEqual([
      'experience',
      'experience',
      'product',
      'product',
      'rental',
      'rental',
      'rental',
      'rental',
    ]);

    const kayak = list.body.offerings.find((o: { title: string }) => o.title === 'Sunset kayak tour');
    const availability = await t.http.get(`/v1/catalog/offerings/${kayak.id}/availability`).expect(200);
    expect(availability.body.slots.length).toBeGreaterThan(20);
    const slot = availability.body.slots[20]; // three weeks out: early bird applies

    const res = await t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${t.token('alice')}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId: kayak.id, timeSlotId: slot.id, numberOfGuests: 5, guestName: 'A', guestEmail: 'a@example.com' })
      .expect(200);
    expect(res.body.reservation).toMatchObject({ originalPrice: 50000, discountApplied: 12500, totalPrice: 37500 });
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  });

  it('has carriers kept by the (simulated) inventory system, for sale and to rent, that can be held', async () => {
    const list = await t.http.get('/v1/catalog/offerings?limit=50').expect(200);
    const external = list.body.offerings.filter((o: { inventorySource: string }) => o.inventorySource === 'external');
    expect(external.map((o: { kind: string; orderable: boolean }) => [o.kind, o.orderable]).sort()).toEqual([
      ['product', true],
      ['rental', true],
    ]);
    const forSale = external.find((o: { kind: string }) => o.kind === 'product');
    const forRent = external.find((o: { kind: string }) => o.kind === 'rental');
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${t.token('alice')}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [
          { offeringId: forSale.id, sku: forSale.externalItemId, quantity: 1 },
          { offeringId: forRent.id, startDate: day(10), endDate: day(13) },
        ],
        guestName: 'A',
        guestEmail: 'a@example.com',
      })
      .expect(200);
    expect(res.body.reservation).toMatchObject({ status: 'held', totalPrice: 6900 + 3 * 500 });
  });

  it('has a van and a car: vehicle rentals with a rental policy and units with plates, that can be held', async () => {
    const admin = t.token('demo-admin', ['admin']);
    const list = await t.http.get('/v1/catalog/offerings?kind=rental&limit=50').expect(200);
    const vehicles = list.body.offerings.filter((o: { vehicle: boolean }) => o.vehicle);
    expect(vehicles.map((o: { title: string }) => o.title).sort()).toEqual(['Electric city car', 'Nine-seat minibus van']);
    for (const vehicle of vehicles) {
      expect(vehicle).toMatchObject({ currency: 'EUR', orderable: true, inventorySource: 'internal' });
      expect(vehicle.rentalPolicy).toMatchObject({ timeZone: 'Europe/Paris', pickupTime: expect.stringMatching(/^\d\d:\d\d$/) });
      expect(vehicle.rentalPolicy.deposit).toBeGreaterThan(0);
    }
    const van = vehicles.find((o: { title: string }) => o.title === 'Nine-seat minibus van');
    const car = vehicles.find((o: { title: string }) => o.title === 'Electric city car');
    const units = async (id: string) =>
      (await t.http.get(`/v1/admin/offerings/${id}/units`).set('Authorization', `Bearer ${admin}`).expect(200)).body as {
        plate: string;
        fleetVehicleId: string;
        seats: number;
        energy: string;
        fleetStatus: string;
      }[];
    const vanUnits = await units(van.id);
    const carUnits = await units(car.id);
    expect(vanUnits).toHaveLength(3);
    expect(carUnits).toHaveLength(2);
    for (const unit of [...vanUnits, ...carUnits]) {
      expect(unit.plate).toMatch(/^[A-Z]{2}-\d{3}-[A-Z]{2}$/);
      expect(unit.fleetVehicleId).toBe(unit.plate);
      expect(unit.fleetStatus).toBe('available');
    }
    expect(vanUnits.map((u) => [u.seats, u.energy])).toEqual([
      [9, 'fuel'],
      [9, 'fuel'],
      [9, 'fuel'],
    ]);
    expect(carUnits.map((u) => u.energy)).toEqual(['electric', 'electric']);

    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${t.token('alice')}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({
        items: [{ offeringId: van.id, startDate: day(20), endDate: day(23) }],
        guestName: 'A',
        guestEmail: 'a@example.com',
      })
      .expect(200);
    expect(res.body.reservation).toMatchObject({ status: 'held', totalPrice: 3 * 11900 });
  });

  it('never loads into a database that already has offerings, even when asked twice at once', async () => {
    const demo = t.app.get(DemoCatalog);
    const again = await Promise.all([demo.load(new Date()), demo.load(new Date())]);
    expect(again).toEqual([0, 0]);
    const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM offerings')) as [{ n: number }];
    expect(n).toBe(8);
  });

  it('loads exactly once when two replicas start on an empty database together', async () => {
    await t.dataSource.query(
      'TRUNCATE offerings, time_slots, stock_items, rental_units, allocations, reservations, reservation_items',
    );
    const demo = t.app.get(DemoCatalog);
    const loaded = await Promise.all([demo.load(new Date()), demo.load(new Date())]);
    expect(loaded.sort()).toEqual([0, 8]);
  });
});

describe('without DEMO_CATALOG (tests, or a database of your own)', () => {
  it('loads nothing', async () => {
    const t = await createTestApp();
    try {
      const list = await t.http.get('/v1/catalog/offerings').expect(200);
      expect(list.body.pagination.total).toBe(0);
    } finally {
      await t.close();
    }
  });
});
