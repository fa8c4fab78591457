import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TransactionHost } from '@holdfast/database';
import { EVENTS_STREAM, EventRelay } from '../src/events/event-relay';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { ReservationsRepository } from '../src/reservations/reservations.repository';
import { createOffering, createSlot } from './factories/inventory.factory';
import { natsAvailable, type RunningNats, startNatsServer } from './support/nats-server';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const guest = { guestName: 'Jane Private', guestEmail: 'jane.private@example.com' };
const HOLDS = 100;
const CHANGES_PER_HOLD = 9; // after `held`: 100 + 900 = 1,000 state changes

/**
 * The relay against a real nats-server with JetStream (test/support/nats-server.ts):
 * 1,000 state changes, the broker stopped half-way, arrive exactly once per event id, in
 * order per reservation.
 */
(natsAvailable() ? describe : describe.skip)('the event relay to NATS JetStream', () => {
  let nats: RunningNats;
  let t: TestApp;
  let consumer: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    // The interval is long: the test runs the relay's passes itself.
    t = await createTestApp({ env: { EVENTS_NATS_URL: nats.url, EVENTS_RELAY_INTERVAL_MS: '60000' } });
  });
  afterAll(async () => {
    await consumer?.close();
    await t?.close();
    await nats?.close();
  });

  const unpublished = async () =>
    ((await t.dataSource.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL')) as [{ n: number }])[0]
      .n;

  /** Moves every reservation through `count` status changes (pending <-> payment_failed), one transaction each. */
  const change = async (ids: string[], count: number) => {
    const repo = t.app.get(ReservationsRepository, { strict: false });
    const txHost = t.app.get(TransactionHost);
    for (let round = 0; round < count; round++) {
      await Promise.all(
        ids.map((id) => txHost.run(async () => repo.setStatus(id, round % 2 === 0 ? 'pending' : 'payment_failed', null))),
      );
    }
  };

  it('delivers 1,000 state changes exactly once per event id, in order per reservation, across a broker outage', async () => {
    const relay = t.app.get(EventRelay);
    const offering = await createOffering(t.dataSource, { kind: 'experience' });
    const slot = await createSlot(t.dataSource, offering.id, { capacity: HOLDS });
    const token = t.token('alice');
    const ids: string[] = [];
    for (let i = 0; i < HOLDS; i++) {
      const res = await t.http
        .post('/v1/reservations/hold')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1, ...guest })
        .expect(200);
      ids.push(res.body.reservation.id as string);
    }
    await change(ids, 4); // 500 events so far
    expect(await relay.drain()).toBe(500);
    expect(await unpublished()).toBe(0);

    // The broker goes away; the changes go on and wait in the outbox.
    await nats.stop();
    await change(ids, CHANGES_PER_HOLD - 4); // 500 more
    await expect(relay.drain()).rejects.toThrow();
    expect(await unpublished()).toBeGreaterThan(0);
    const metrics = await t.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(/^events_unpublished [1-9]\d*$/m);
    expect(metrics).toMatch(/^events_oldest_unpublished_seconds \d/m);
    expect(metrics).toMatch(/^events_relay_failures_total [1-9]/m);

    // It comes back: the relay resumes from the first unacknowledged event.
    await nats.start();
    // The client reconnects in its own time; a pass before that fails like the ones during the outage.
    await waitFor(
      'the relay to catch up after the outage',
      async () => {
        await relay.drain().catch(() => 0);
        return (await unpublished()) === 0;
      },
      60_000,
    );

    // A relay that crashed after JetStream acknowledged but before it marked them publishes
    // the last 100 again: the stream drops them as duplicates (the event id is the message id).
    await t.dataSource.query(
      `UPDATE outbox_events SET published_at = NULL WHERE id IN (SELECT id FROM outbox_events ORDER BY position DESC, id DESC LIMIT 100)`,
    );
    expect(await relay.drain()).toBe(100);

    // A consumer reads the whole stream.
    consumer = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(consumer);
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.config.duplicate_window).toBe(3600 * 1e9);
    expect(info.config.subjects).toEqual(['holdfast.events.>']);
    const ordered = await jetstream(consumer).consumers.get(EVENTS_STREAM);
    const received: { id: string; type: string; reservationId: string; subject: string }[] = [];
    while (received.length < info.state.messages) {
      const batch = await ordered.fetch({ max_messages: 500, expires: 2000 });
      for await (const msg of batch)
        received.push({ ...(msg.json() as { id: string; type: string; reservationId: string }), subject: msg.subject });
    }
    const distinct = new Set(received.map((m) => m.id));
    expect(distinct.size).toBe(HOLDS * (1 + CHANGES_PER_HOLD));
    expect(received.length).toBe(distinct.size); // each event id once on the stream
    expect(received.every((m) => m.subject === `holdfast.events.${m.type}`)).toBe(true);

    // Per reservation, the stream's order is the order the changes were made.
    const expected = [
      'held',
      ...Array.from({ length: CHANGES_PER_HOLD }, (_, i) => (i % 2 === 0 ? 'pending' : 'payment_failed')),
    ];
    for (const id of ids) expect(received.filter((m) => m.reservationId === id).map((m) => m.type)).toEqual(expected);
  });

  it('runs one relay at a time: a second pass while one holds the lock publishes nothing', async () => {
    const relay = t.app.get(EventRelay);
    await t.dataSource.query(`UPDATE outbox_events SET published_at = NULL WHERE id IN (SELECT id FROM outbox_events LIMIT 5)`);
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(`SELECT pg_advisory_xact_lock(hashtext('holdfast.events.relay'))`);
      expect(await relay.drain()).toBe(0);
      expect(await unpublished()).toBe(5);
      await other.commitTransaction();
    } finally {
      await other.release();
    }
    expect(await relay.drain()).toBe(5);
  });

  it('relays nothing while the events.relay flag is off, and catches up when it is on again', async () => {
    const relay = t.app.get(EventRelay);
    const admin = { Authorization: `Bearer ${t.token('ops', ['admin'])}` };
    await t.dataSource.query(`UPDATE outbox_events SET published_at = NULL WHERE id IN (SELECT id FROM outbox_events LIMIT 3)`);
    await t.http.put('/v1/admin/flags/events.relay').set(admin).send({ enabled: false }).expect(200);
    try {
      expect(await relay.drain()).toBe(0);
      expect(await unpublished()).toBe(3);
    } finally {
      await t.http.put('/v1/admin/flags/events.relay').set(admin).send({ enabled: true }).expect(200);
    }
    expect(await relay.drain()).toBe(3);
    expect(await unpublished()).toBe(0);
  });
});
