import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { createOffering, createSlot, createStock } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';
import { backdateHolds } from './support/time';
import { waitFor } from './support/wait';

const guest = { guestName: 'Sam Sweep', guestEmail: 'sam@example.com' };
const SLOTS = 40;
/** Holds made to expire: one-slot holds, and carts of two slots and a SKU. */
const EXPIRING_ONE_SLOT = 240;
const EXPIRING_CARTS = 60;

/**
 * The hold expiry sweep (HoldExpiryJob.sweep: each batch ONE statement, see
 * src/reservations/expiry-statement.ts) at the scale of a few hundred holds on many slots
 * and a SKU, with holds and carts arriving meanwhile: every due hold expires once with one
 * `expired` event, nothing else is touched, the counters equal the ledger, and the slot
 * rows are locked last.
 */
describe('the hold expiry sweep, one statement a batch', () => {
  let t: TestApp;
  let user: string;
  let offeringId: string;
  let productId: string;
  let slotIds: string[];
  const sku = `SWEEP-${randomUUID().slice(0, 8)}`;

  const hold = (body: object) =>
    t.http.post('/v1/reservations/hold').set('Authorization', `Bearer ${user}`).set('X-Idempotency-Key', randomUUID()).send(body);
  const oneSlot = (i: number) => ({ experienceId: offeringId, timeSlotId: slotIds[i % SLOTS], numberOfGuests: 1, ...guest });
  /** A cart of two slots (given in descending id order: the app locks them in id order) and one unit of the SKU. */
  const cart = (i: number) => ({
    ...guest,
    items: [
      { offeringId, timeSlotId: slotIds[(i * 7 + 3) % SLOTS], quantity: 1 },
      { offeringId, timeSlotId: slotIds[(i * 7) % SLOTS], quantity: 2 },
      { offeringId: productId, sku, quantity: 1 },
    ],
  });
  const idsOf = async (requests: Promise<{ status: number; body: { reservation?: { id: string } } }>[]) => {
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    return responses.map((r) => r.body.reservation!.id);
  };
  const statusesOf = async (ids: string[]) =>
    (await t.dataSource.query(
      `SELECT status, status_reason AS reason, count(*)::int AS n FROM reservations WHERE id = ANY($1::uuid[])
        GROUP BY status, status_reason ORDER BY status`,
      [ids],
    )) as { status: string; reason: string | null; n: number }[];

  beforeAll(async () => {
    t = await createTestApp({ env: { HOLD_SWEEP_INTERVAL_SECONDS: '3600' } });
    user = t.token('sam');
    offeringId = (await createOffering(t.dataSource, { kind: 'experience' })).id;
    productId = (await createOffering(t.dataSource, { kind: 'product', basePriceCents: 1500, weightGrams: 300 })).id;
    await createStock(t.dataSource, productId, sku, 1000);
    slotIds = [];
    for (let i = 0; i < SLOTS; i++) slotIds.push((await createSlot(t.dataSource, offeringId, { capacity: 100 })).id);
  });
  afterAll(async () => {
    if (t) expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    await t?.close();
  });

  it(`expires ${EXPIRING_ONE_SLOT + EXPIRING_CARTS} holds on ${SLOTS} slots and a SKU, two sweeps at once, while holds and carts keep coming`, async () => {
    const expiring: string[] = [];
    for (let from = 0; from < EXPIRING_ONE_SLOT; from += 40) {
      expiring.push(...(await idsOf(Array.from({ length: 40 }, (_, i) => hold(oneSlot(from + i))))));
    }
    expiring.push(...(await idsOf(Array.from({ length: EXPIRING_CARTS }, (_, i) => hold(cart(i))))));
    const live = await idsOf(Array.from({ length: 20 }, (_, i) => hold(oneSlot(i))));
    await backdateHolds(t, 16 * 60_000, expiring);

    const job = t.app.get(HoldExpiryJob);
    const [arriving, a, b] = await Promise.all([
      idsOf([
        ...Array.from({ length: 60 }, (_, i) => hold(oneSlot(i * 3))),
        ...Array.from({ length: 20 }, (_, i) => hold(cart(i + 5))),
      ]),
      job.sweep(),
      job.sweep(),
    ]);
    // Each due hold expired by exactly one of the sweeps (a third finds none).
    expect(a + b).toBe(expiring.length);
    expect(await job.sweep()).toBe(0);
    expect(await statusesOf(expiring)).toEqual([{ status: 'expired', reason: 'HOLD_EXPIRED', n: expiring.length }]);
    expect(await statusesOf([...live, ...arriving])).toEqual([
      { status: 'held', reason: null, n: live.length + arriving.length },
    ]);

    const [ledger] = (await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE state <> 'released')::int AS live,
              count(*) FILTER (WHERE state = 'released')::int AS released
         FROM allocations WHERE reservation_id = ANY($1::uuid[])`,
      [expiring],
    )) as { live: number; released: number }[];
    expect(ledger).toEqual({ live: 0, released: EXPIRING_ONE_SLOT + 3 * EXPIRING_CARTS });
    const events = (await t.dataSource.query(
      `SELECT reservation_id, count(*)::int AS n FROM outbox_events
        WHERE reservation_id = ANY($1::uuid[]) AND type = 'expired' GROUP BY reservation_id HAVING count(*) <> 1`,
      [expiring],
    )) as unknown[];
    const [{ n: withEvent }] = (await t.dataSource.query(
      `SELECT count(DISTINCT reservation_id)::int AS n FROM outbox_events WHERE reservation_id = ANY($1::uuid[]) AND type = 'expired'`,
      [expiring],
    )) as { n: number }[];
    expect({ events, withEvent }).toEqual({ events: [], withEvent: expiring.length });

    // The counters equal the ledger: what is held is exactly the live holds' places.
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
    const [{ held }] = (await t.dataSource.query(`SELECT sum(held)::int AS held FROM time_slots WHERE id = ANY($1::uuid[])`, [
      slotIds,
    ])) as { held: number }[];
    expect(held).toBe(live.length + 60 + 20 * 3);
    const [stock] = (await t.dataSource.query(`SELECT held FROM stock_items WHERE sku = $1`, [sku])) as { held: number }[];
    expect(stock.held).toBe(20);
  });

  it('locks the slot rows last, on a connection of its own: waiting behind a slot, it has already written the expired events', async () => {
    const ids = await idsOf(Array.from({ length: 10 }, (_, i) => hold(oneSlot(i))));
    await backdateHolds(t, 16 * 60_000, ids);
    const [{ seq }] = (await t.dataSource.query(`SELECT pg_get_serial_sequence('outbox_events', 'id') AS seq`)) as {
      seq: string;
    }[];
    const lastEvent = async () =>
      Number(((await t.dataSource.query(`SELECT last_value FROM ${seq}`)) as { last_value: string }[])[0].last_value);
    const gate = new pg.Client({ connectionString: t.db.url });
    await gate.connect();
    try {
      await gate.query('BEGIN');
      await gate.query(`SELECT id FROM time_slots WHERE id = $1 FOR UPDATE`, [slotIds[5]]);
      const before = await lastEvent();
      const sweep = t.app.get(HoldExpiryJob).sweep();
      let sweeper: { application_name: string }[] = [];
      await waitFor('the sweep to wait for the locked slot', async () => {
        sweeper = (await t.dataSource.query(
          `SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE 'WITH res_due AS%'`, // (pg_stat_activity keeps the first 1 kB of the text)
        )) as { application_name: string }[];
        return sweeper.length === 1;
      });
      // On its own connection, not one of the pool's (TransactionHost.statementOnOwnConnection).
      expect(sweeper[0].application_name).toMatch(/:hold-expiry$/);
      // The events are written (nextval is not transactional), the reservations still look held to others.
      expect(await lastEvent()).toBe(before + ids.length);
      expect(await statusesOf(ids)).toEqual([{ status: 'held', reason: null, n: ids.length }]);
      await gate.query('COMMIT');
      expect(await sweep).toBe(ids.length);
    } finally {
      await gate.end();
    }
    expect(await statusesOf(ids)).toEqual([{ status: 'expired', reason: 'HOLD_EXPIRED', n: ids.length }]);
  });
});
