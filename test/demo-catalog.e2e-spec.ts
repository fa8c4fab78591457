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

  it('never loads into a database that already has offerings, even when asked twice at once', async () => {
    const demo = t.app.get(DemoCatalog);
    const again = await Promise.all([demo.load(new Date()), demo.load(new Date())]);
    expect(again).toEqual([0, 0]);
    const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM offerings')) as [{ n: number }];
    expect(n).toBe(6);
  });

  it('loads exactly once when two replicas start on an empty database together', async () => {
    await t.dataSource.query(
      'TRUNCATE offerings, time_slots, stock_items, rental_units, allocations, reservations, reservation_items',
    );
    const demo = t.app.get(DemoCatalog);
    const loaded = await Promise.all([demo.load(new Date()), demo.load(new Date())]);
    expect(loaded.sort()).toEqual([0, 6]);
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
