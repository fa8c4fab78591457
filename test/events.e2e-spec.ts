import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TransactionHost } from '@holdfast/database';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { ReservationsRepository } from '../src/reservations/reservations.repository';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const guest = { guestName: 'Jane Private', guestEmail: 'jane.private@example.com', guestPhone: '+15551234567' };

interface FeedEvent {
  id: string;
  type: string;
  reservationId: string;
  userId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/**
 * The outbox (DESIGN.md section 13): every reservation state change writes one event in
 * its own transaction, and `GET /v1/admin/events` reads only what no running transaction
 * can precede.
 */
describe('reservation events: the outbox and the feed', () => {
  let t: TestApp;
  let token: string;
  let admin: string;
  let experienceId: string;
  let slotId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const hold = async (body: object = { experienceId, timeSlotId: slotId, numberOfGuests: 1 }) => {
    const res = await t.http
      .post('/v1/reservations/hold')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ ...body, ...guest });
    expect(res.status).toBe(200);
    return res.body.reservation.id as string;
  };
  const convert = async (holdId: string) =>
    (
      await t.http
        .post('/v1/reservations/hold/convert')
        .set(auth())
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId })
        .expect(200)
    ).body.reservation.paymentIntentId as string;
  const pay = (pi: string, card: string) =>
    t.http.post(`/v1/dev/payments/${pi}/confirm`).set(auth()).send({ paymentMethod: card });

  /** The whole feed, page by page (small pages, so the cursor is exercised). */
  const feed = async (): Promise<FeedEvent[]> => {
    const events: FeedEvent[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await t.http
        .get('/v1/admin/events')
        .query(after ? { after, limit: 3 } : { limit: 3 })
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      events.push(...(res.body.events as FeedEvent[]));
      if (res.body.events.length === 0) return events;
      after = res.body.nextCursor as string;
    }
  };
  const typesOf = (events: FeedEvent[], reservationId: string) =>
    events.filter((e) => e.reservationId === reservationId).map((e) => e.type);

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    token = t.token('alice');
    admin = t.token('root', ['admin']);
    const offering = await createOffering(t.dataSource, { kind: 'experience', basePriceCents: 10000, refundableUntilHours: 48 });
    experienceId = offering.id;
    slotId = (await createSlot(t.dataSource, offering.id, { capacity: 50 })).id;
  });
  afterAll(async () => t.close());

  it('writes one event per state change, in order per reservation, with ids and facts but no guest PII', async () => {
    // held -> cancelled (the one-statement hold, then a cancel)
    const cancelled = await hold();
    await t.http.post(`/v1/reservations/${cancelled}/cancel`).set(auth()).expect(200);
    // held (a two-line cart: the general path) -> pending -> payment_failed -> pending -> confirmed -> refunded
    const second = await createSlot(t.dataSource, experienceId, { capacity: 5 });
    const paid = await hold({
      items: [
        { offeringId: experienceId, timeSlotId: slotId, quantity: 1 },
        { offeringId: experienceId, timeSlotId: second.id, quantity: 1 },
      ],
    });
    await pay(await convert(paid), '4000000000000002').expect(400);
    await settle();
    await pay(await convert(paid), '4242424242424242').expect(200);
    await settle();
    const [{ id: paymentId }] = (await t.dataSource.query(
      'SELECT id FROM payments WHERE reservation_id = $1 AND captured_cents > 0',
      [paid],
    )) as [{ id: string }];
    await t.http
      .post(`/v1/admin/payments/${paymentId}/refunds`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ amount: 20000 })
      .expect(201);
    await settle();
    // held -> expired (the sweep)
    const expired = await hold();
    await t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 second' WHERE id = $1`, [expired]);
    await t.app.get(HoldExpiryJob).sweep();

    const events = await feed();
    expect(typesOf(events, cancelled)).toEqual(['held', 'cancelled']);
    expect(typesOf(events, paid)).toEqual(['held', 'pending', 'payment_failed', 'pending', 'confirmed', 'refunded']);
    expect(typesOf(events, expired)).toEqual(['held', 'expired']);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    const confirmed = events.find((e) => e.reservationId === paid && e.type === 'confirmed')!;
    const [{ reference }] = (await t.dataSource.query('SELECT reference FROM reservations WHERE id = $1', [paid])) as [
      { reference: string },
    ];
    expect(confirmed).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'confirmed',
      reservationId: paid,
      userId: 'alice',
      occurredAt: expect.any(String),
      payload: { reason: null, reference, totalCents: 20000, currency: 'EUR', holdExpiresAt: expect.any(String) },
    });
    const text = JSON.stringify(events);
    for (const pii of [guest.guestName, guest.guestEmail, guest.guestPhone]) expect(text).not.toContain(pii);
  });

  it('writes no event when the change rolls back: a hold refused, a confirmation whose transaction fails', async () => {
    const tiny = await createSlot(t.dataSource, experienceId, { capacity: 1 });
    const before = (await feed()).length;
    const id = await hold({ experienceId, timeSlotId: tiny.id, numberOfGuests: 1 });
    const refused = await t.http
      .post('/v1/reservations/hold')
      .set(auth())
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: tiny.id, numberOfGuests: 1, ...guest });
    expect(refused.body.error).toBe('TIME_SLOT_NOT_AVAILABLE');
    expect((await feed()).length).toBe(before + 1);

    // The confirmation statement runs (and writes its event), then its transaction rolls back.
    const repo = t.app.get(ReservationsRepository, { strict: false });
    await expect(
      t.app.get(TransactionHost).run(async () => {
        expect(await repo.confirm(id, 'ROLLEDBACK01', null)).toBe(true);
        throw new Error('forced rollback');
      }),
    ).rejects.toThrow('forced rollback');
    expect(typesOf(await feed(), id)).toEqual(['held']);
    // The same change committed: exactly one event.
    await t.app.get(TransactionHost).run(async () => repo.confirm(id, 'COMMITTED001', null));
    expect(typesOf(await feed(), id)).toEqual(['held', 'confirmed']);
  });

  it('holds back an event whose transaction is still open, and every event after it, until it commits', async () => {
    const start = await feed();
    const cursor = (
      await t.http.get('/v1/admin/events').query({ limit: 1000 }).set('Authorization', `Bearer ${admin}`).expect(200)
    ).body.nextCursor as string;
    const early = await hold();
    // A transaction that writes an event and stays open: its event has a smaller id than the next ones.
    const open = new pg.Client({ connectionString: t.db.url });
    await open.connect();
    try {
      await open.query('BEGIN');
      await open.query(
        `INSERT INTO outbox_events (reservation_id, user_id, type, payload) VALUES ($1, 'alice', 'pending', '{}')`,
        [early],
      );
      const later = await hold(); // commits, after the open one
      const page = async () =>
        (
          await t.http
            .get('/v1/admin/events')
            .query({ after: cursor, limit: 1000 })
            .set('Authorization', `Bearer ${admin}`)
            .expect(200)
        ).body as { events: FeedEvent[]; nextCursor: string };
      const whileOpen = await page();
      expect(whileOpen.events.map((e) => e.reservationId)).toEqual([early]); // `later` waits behind the open one
      await open.query('COMMIT');
      const after = await page();
      expect(after.events.map((e) => [e.reservationId, e.type])).toEqual([
        [early, 'held'],
        [early, 'pending'],
        [later, 'held'],
      ]);
      // Following the cursor from the page read while it was open misses nothing.
      const rest = (
        await t.http
          .get('/v1/admin/events')
          .query({ after: whileOpen.nextCursor, limit: 1000 })
          .set('Authorization', `Bearer ${admin}`)
          .expect(200)
      ).body.events as FeedEvent[];
      expect(rest.map((e) => [e.reservationId, e.type])).toEqual([
        [early, 'pending'],
        [later, 'held'],
      ]);
    } finally {
      await open.end();
    }
    expect((await feed()).length).toBe(start.length + 3);
  });

  it('answers a bad cursor or limit with VALIDATION_FAILED, and non-admins with FORBIDDEN', async () => {
    for (const query of [{ after: 'abc' }, { after: '1.2; DROP TABLE x' }, { limit: 0 }, { limit: 1001 }]) {
      const res = await t.http.get('/v1/admin/events').query(query).set('Authorization', `Bearer ${admin}`).expect(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', requestId: expect.any(String) });
    }
    await t.http.get('/v1/admin/events').set(auth()).expect(403);
    await t.http.get('/v1/admin/events').expect(401);
  });
});
