import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { TransactionHost } from '@holdfast/database';
import { advisoryLockId } from '../libs/idempotency/src/request-hash';
import { checkInventoryInvariants } from '../src/inventory/invariants';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const guest = { guestName: 'Fast Lane', guestEmail: 'fast@example.com' };

/**
 * A one-slot hold is made by ONE statement (`TransactionHost.statement`: lock the key,
 * take the places, write ledger, reservation, item and stored response, one round trip)
 * and falls back to the transactional path for everything else. These tests pin down
 * that the fast path is really taken, and that it never sells at a price or a start
 * time the database no longer has, nor bypasses the idempotency rules.
 */
describe('the one-statement hold', () => {
  let t: TestApp;
  let token: string;
  let statement: ReturnType<typeof jest.spyOn>;
  const hold = (body: object, key: string = randomUUID()) =>
    t.http.post('/v1/reservations/hold').set('Authorization', `Bearer ${token}`).set('X-Idempotency-Key', key).send(body);
  const statementResults = async (): Promise<unknown[]> =>
    Promise.all(
      statement.mock.results.map((r: { value: unknown }) => (r.value as Promise<unknown>).catch((e: Error) => e.message)),
    );
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    ((await t.dataSource.query(sql, params)) as { n: number }[])[0].n;
  /** An experience with one 5-place slot, and the seed-form body holding one place of it. */
  const oneGuestHold = async (fields: Parameters<typeof createOffering>[1] = {}) => {
    const offering = await createOffering(t.dataSource, { kind: 'experience', ...fields });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    return { offering, slot, body: { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest } };
  };

  beforeAll(async () => {
    t = await createTestApp();
    token = t.token('fast-user');
    statement = jest.spyOn(t.app.get(TransactionHost), 'statement');
  });
  afterEach(async () => {
    statement.mockClear();
    expect(await checkInventoryInvariants(t.dataSource.manager)).toEqual([]);
  });
  afterAll(async () => t.close());

  it('makes a seed-form hold in one statement that took the places', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 2500 });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });

    const res = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2, ...guest });

    expect(res.status).toBe(200);
    expect(res.body.reservation).toMatchObject({ status: 'held', totalPrice: 5000 });
    expect(await statementResults()).toEqual([[{ taken: true }]]);
    const [row] = (await t.dataSource.query(
      `SELECT r.hold_expires_at, r.total_cents, i.quantity, a.quantity AS allocated, s.held
         FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
         JOIN allocations a ON a.reservation_id = r.id JOIN time_slots s ON s.id = a.time_slot_id
        WHERE r.id = $1`,
      [res.body.reservation.id],
    )) as { hold_expires_at: Date; total_cents: number; quantity: number; allocated: number; held: number }[];
    expect(row).toMatchObject({ total_cents: 5000, quantity: 2, allocated: 2, held: 2 });
    // What the client was told is exactly what is stored.
    expect(row.hold_expires_at.toISOString()).toBe(res.body.reservation.holdExpiresAt);
  });

  it('makes a one-item cart hold in one statement too, and a two-item cart the general way', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const a = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    const b = await createSlot(t.dataSource, offering.id, { capacity: 5 });

    const one = await hold({ ...guest, items: [{ offeringId: offering.id, timeSlotId: a.id, quantity: 1 }] });
    expect(one.status).toBe(200);
    expect(await statementResults()).toEqual([[{ taken: true }]]);
    statement.mockClear();

    const two = await hold({
      ...guest,
      items: [
        { offeringId: offering.id, timeSlotId: a.id, quantity: 1 },
        { offeringId: offering.id, timeSlotId: b.id, quantity: 1 },
      ],
    });
    expect(two.status).toBe(200);
    expect(statement).not.toHaveBeenCalled();
    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [a.id])).toBe(2);
  });

  it('replays a key used before with its first response, after a statement that took nothing', async () => {
    const { slot, body } = await oneGuestHold();
    const key = randomUUID();

    const first = await hold(body, key);
    const again = await hold(body, key);

    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    // The second statement hit the stored key and rolled back whole: one hold, one place taken.
    const results = await statementResults();
    expect(results[0]).toEqual([{ taken: true }]);
    expect(String(results[1])).toMatch(/duplicate key/);
    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [slot.id])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM allocations WHERE time_slot_id = $1', [slot.id])).toBe(1);
  });

  it('replays a completed key even while its lock is still held (a statement that hit the key, still rolling back)', async () => {
    // The statement that hits a stored key fails with unique_violation; PostgreSQL sends
    // the error before it releases the statement's advisory lock, so the fallback may find
    // the lock taken for a moment. A completed key must replay all the same; only a key
    // whose first request is really running is "in progress".
    const { slot, body } = await oneGuestHold();
    const key = randomUUID();
    const fresh = randomUUID();
    const first = await hold(body, key);
    expect(first.status).toBe(200);

    const locker = new pg.Client({ connectionString: t.db.url, application_name: 'holdfast-test-locker' });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      for (const k of [key, fresh]) {
        await locker.query('SELECT pg_advisory_xact_lock($1::bigint)', [
          advisoryLockId('fast-user|POST /v1/reservations/hold', k),
        ]);
      }
      const again = await hold(body, key);
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const running = await hold(body, fresh);
      expect(running.status).toBe(409);
      expect(running.body.error).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [slot.id])).toBe(1);
  });

  it('refuses the same key with another body (422) and takes nothing for it', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    const key = randomUUID();

    expect((await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest }, key)).status).toBe(200);
    const other = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 3, ...guest }, key);

    expect(other.status).toBe(422);
    expect(other.body.error).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [slot.id])).toBe(1);
  });

  it('never sells at a price the database no longer has: a change behind the cache is charged', async () => {
    const { offering, slot, body } = await oneGuestHold({ basePriceCents: 1000 });
    expect((await hold(body)).body.reservation.totalPrice).toBe(1000); // now cached at 1000

    // Another replica (or an operator) changes the price: this process's cache does not know.
    await t.dataSource.query('UPDATE offerings SET base_price_cents = 1500 WHERE id = $1', [offering.id]);
    statement.mockClear();
    const res = await hold(body);

    expect(res.status).toBe(200);
    expect(res.body.reservation.totalPrice).toBe(1500);
    expect(await statementResults()).toEqual([[{ taken: false }]]); // the statement saw the change and took nothing
    const totals = (await t.dataSource.query(
      `SELECT r.total_cents FROM reservations r JOIN reservation_items i ON i.reservation_id = r.id
        WHERE i.time_slot_id = $1 ORDER BY r.created_at`,
      [slot.id],
    )) as { total_cents: number }[];
    expect(totals.map((r) => r.total_cents)).toEqual([1000, 1500]);
  });

  it('prices an early-bird offering by the start the database has, even when the cache has another', async () => {
    const rules = { earlyBird: { minDaysBefore: 7, percentOff: 10, type: 'early_bird' } };
    const { slot, body } = await oneGuestHold({ basePriceCents: 1000, pricingRules: rules }); // starts in 10 days: early bird
    expect((await hold(body)).body.reservation.totalPrice).toBe(900); // slot cached as starting in 10 days

    await t.dataSource.query(
      `UPDATE time_slots SET starts_at = now() + interval '2 days', ends_at = now() + interval '3 days' WHERE id = $1`,
      [slot.id],
    );
    statement.mockClear();
    const res = await hold(body);

    expect(res.status).toBe(200);
    expect(res.body.reservation.totalPrice).toBe(1000);
    expect(await statementResults()).toEqual([[{ taken: false }]]);
    statement.mockClear();
    // The general path refreshed the cache: the next hold is one statement again, at the new price.
    expect((await hold(body)).body.reservation.totalPrice).toBe(1000);
    expect(await statementResults()).toEqual([[{ taken: true }]]);
  });

  it('never takes places of a slot deactivated, closed or moved behind the cache', async () => {
    const { offering, slot, body } = await oneGuestHold();
    expect((await hold(body)).status).toBe(200); // slot and offering now cached

    await t.dataSource.query(`UPDATE time_slots SET status = 'closed' WHERE id = $1`, [slot.id]);
    const closed = await hold(body);
    expect(closed.status).toBe(400);
    expect(closed.body.error).toBe('TIME_SLOT_NOT_AVAILABLE');

    await t.dataSource.query(`UPDATE time_slots SET status = 'open', starts_at = now() - interval '1 hour' WHERE id = $1`, [
      slot.id,
    ]);
    const started = await hold(body);
    expect(started.status).toBe(400);
    expect(started.body.error).toBe('TIME_SLOT_NOT_AVAILABLE');

    await t.dataSource.query(
      `UPDATE time_slots SET starts_at = now() + interval '30 days', ends_at = now() + interval '31 days' WHERE id = $1`,
      [slot.id],
    );
    await t.dataSource.query(`UPDATE offerings SET active = false WHERE id = $1`, [offering.id]);
    const inactive = await hold(body);
    expect(inactive.status).toBe(400);
    expect(inactive.body.error).toBe('TIME_SLOT_NOT_AVAILABLE');

    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [slot.id])).toBe(1);
  });

  it('when the slot is short, reclaims expired holds on it the general way', async () => {
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 1 });
    const body = { experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest };
    const first = await hold(body);
    expect(first.status).toBe(200);
    await t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 second' WHERE id = $1`, [
      first.body.reservation.id,
    ]);

    const second = await hold(body);

    expect(second.status).toBe(200);
    const [status] = (await t.dataSource.query('SELECT status FROM reservations WHERE id = $1', [first.body.reservation.id])) as {
      status: string;
    }[];
    expect(status.status).toBe('expired');
    expect(await count('SELECT held AS n FROM time_slots WHERE id = $1', [slot.id])).toBe(1);
  });
});
