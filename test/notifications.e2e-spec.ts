import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { PAYMENT_GATEWAY } from '../src/payments/payment-gateway';
import type { SimulatedGateway } from '../src/payments/simulated.gateway';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { ReservationPaymentOutcomes } from '../src/reservations/payment-outcome.adapter';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

interface DevEmail {
  id: string;
  notificationId: string;
  template: string;
  reservationId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: string;
}

/**
 * Email with nothing installed: the dev outbox (SMTP_URL unset), read at GET /v1/dev/emails.
 * The jobs run in the app as they do in production; the SMTP path is
 * notifications-smtp.e2e-spec.ts.
 */
describe('email through the job queue, into the dev outbox', () => {
  let t: TestApp;
  let experienceId: string;
  let slotId: string;
  const alice = () => ({ Authorization: `Bearer ${t.token('alice')}` });
  const admin = () => ({ Authorization: `Bearer ${t.token('ada', ['admin'])}` });
  const settle = () => (t.app.get(PAYMENT_GATEWAY) as SimulatedGateway).flushEvents();

  const hold = async (guestName = 'Jane <b>Doe</b>') => {
    const res = await t.http
      .post('/v1/reservations/hold')
      .set(alice())
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId, timeSlotId: slotId, numberOfGuests: 2, guestName, guestEmail: 'jane@example.com' })
      .expect(200);
    return res.body.reservation.id as string;
  };
  const convert = async (id: string) =>
    (
      await t.http
        .post('/v1/reservations/hold/convert')
        .set(alice())
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId: id })
        .expect(200)
    ).body.reservation.paymentIntentId as string;
  const pay = async (id: string, paymentMethod = 'pm_card_visa') => {
    const pi = await convert(id);
    const declined = paymentMethod === 'pm_card_chargeDeclined';
    await t.http
      .post(`/v1/dev/payments/${pi}/confirm`)
      .set(alice())
      .send({ paymentMethod })
      .expect(declined ? 400 : 200);
    await settle();
  };
  const emails = async (reservationId: string, as = alice()) =>
    (await t.http.get('/v1/dev/emails').query({ reservationId }).set(as).expect(200)).body.emails as DevEmail[];
  const emailsFor = async (reservationId: string, count: number) => {
    await waitFor(`${count} email(s) about ${reservationId}`, async () => (await emails(reservationId)).length >= count);
    return emails(reservationId);
  };
  const notificationCount = async (reservationId: string) =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM notifications WHERE reservation_id = $1`, [reservationId]))[0].n);
  const emailJobs = async (reservationId: string) =>
    Number(
      (
        await t.dataSource.query(
          `SELECT count(*) AS n FROM pgboss.job j JOIN notifications n ON n.id::text = j.data->>'notificationId'
            WHERE j.name = 'notifications-email' AND n.reservation_id = $1`,
          [reservationId],
        )
      )[0].n,
    );
  const events = async (reservationId: string, type: string) =>
    Number(
      (
        await t.dataSource.query(`SELECT count(*) AS n FROM outbox_events WHERE reservation_id = $1 AND type = $2`, [
          reservationId,
          type,
        ])
      )[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated' } });
    const offering = await createOffering(t.dataSource, {
      kind: 'experience',
      title: 'Kayak & tapas',
      basePriceCents: 12345,
      refundableUntilHours: 48,
    });
    experienceId = offering.id;
    slotId = (await createSlot(t.dataSource, offering.id, { startsAt: new Date('2031-06-14T09:30:00Z'), capacity: 50 })).id;
  });
  afterAll(async () => t.close());

  it('a paid booking sends one confirmation: reference, what, when and total, the guest name escaped in HTML', async () => {
    const id = await hold();
    await pay(id);
    const [email, ...more] = await emailsFor(id, 1);
    expect(more).toEqual([]);
    const reservation = (await t.http.get(`/v1/reservations/${id}`).set(alice()).expect(200)).body;
    const reference = reservation.reservationReference as string;
    expect(email).toMatchObject({ template: 'reservation_confirmed', reservationId: id, to: 'jane@example.com' });
    expect(email.subject).toBe(`Your booking is confirmed (${reference})`);
    // en-GB (EMAIL_LOCALE's default): 2 x 123.45 EUR, the slot's start in UTC.
    for (const part of [email.text, email.html]) {
      expect(part).toContain(reference);
      expect(part).toContain('€246.90');
      expect(part).toContain('Saturday, 14 June 2031 at 09:30 UTC');
    }
    expect(email.text).toContain('Hello Jane <b>Doe</b>,');
    expect(email.text).toContain('- Kayak & tapas x 2, Saturday, 14 June 2031');
    expect(email.html).toContain('Hello Jane &lt;b&gt;Doe&lt;/b&gt;,');
    expect(email.html).toContain('Kayak &amp; tapas');
    expect(email.html).not.toContain('<b>Doe</b>');
    const [row] = await t.dataSource.query(`SELECT status, attempts, sent_at FROM notifications WHERE id = $1`, [
      email.notificationId,
    ]);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sent_at: expect.any(Date) });
  });

  it('the confirmation event and the email job exist only if the confirmation committed, exactly once each', async () => {
    const id = await hold('Rollback Test');
    const outcomes = t.app.get(ReservationPaymentOutcomes, { strict: false });
    const txHost = t.app.get(TransactionHost);
    await expect(
      txHost.run(async () => {
        expect(await outcomes.paymentSucceeded(id)).toEqual({ result: 'confirmed' });
        expect(await notificationCount(id)).toBe(0); // another connection: nothing visible before the commit
        throw new Error('forced rollback');
      }),
    ).rejects.toThrow('forced rollback');
    expect({ events: await events(id, 'confirmed'), jobs: await emailJobs(id), rows: await notificationCount(id) }).toEqual({
      events: 0,
      jobs: 0,
      rows: 0,
    });

    await txHost.run(() => outcomes.paymentSucceeded(id));
    // Replayed (a duplicate webhook, the confirm call after it): already confirmed, nothing new.
    await txHost.run(() => outcomes.paymentSucceeded(id));
    expect({ events: await events(id, 'confirmed'), jobs: await emailJobs(id), rows: await notificationCount(id) }).toEqual({
      events: 1,
      jobs: 1,
      rows: 1,
    });
    expect((await emailsFor(id, 1)).map((e) => e.template)).toEqual(['reservation_confirmed']);
  });

  it('a declined card sends "payment failed" with until when the places are kept', async () => {
    const id = await hold('Declined Guest');
    await pay(id, 'pm_card_chargeDeclined');
    const [email] = await emailsFor(id, 1);
    expect(email.template).toBe('payment_failed');
    expect(email.subject).toBe('Your payment did not go through');
    expect(email.text).toMatch(/We are keeping your places until \w+day, \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
    expect(email.text).toContain('No money has been taken.');
  });

  it('cancelling a confirmed booking within its refund window sends the cancellation with the refund', async () => {
    const id = await hold('Cancel Guest');
    await pay(id);
    await emailsFor(id, 1);
    await t.http.post(`/v1/reservations/${id}/cancel`).set(alice()).set('X-Idempotency-Key', randomUUID()).expect(200);
    const list = await emailsFor(id, 2);
    expect(list.map((e) => e.template)).toEqual(['reservation_cancelled', 'reservation_confirmed']);
    expect(list[0].text).toContain('We are refunding €246.90 to the card you paid with.');
  });

  it('a refund of the whole payment sends "refunded" with the amount', async () => {
    const id = await hold('Refund Guest');
    await pay(id);
    await emailsFor(id, 1);
    const paymentId = (await t.http.get(`/v1/reservations/${id}`).set(admin()).expect(200)).body.payments[0].paymentId;
    await t.http
      .post(`/v1/admin/payments/${paymentId}/refunds`)
      .set(admin())
      .set('X-Idempotency-Key', randomUUID())
      .send({ reason: 'event cancelled by the organiser' })
      .expect(201);
    await settle();
    const list = await emailsFor(id, 2);
    expect(list.map((e) => e.template)).toEqual(['reservation_refunded', 'reservation_confirmed']);
    expect(list[0].subject).toMatch(/^Your payment for [A-Z0-9]{12} has been refunded$/);
    expect(list[0].text).toContain('we have refunded €246.90 to the card you paid with');
  });

  it('cancelling an unpaid hold and letting one expire send nothing', async () => {
    const cancelled = await hold('Quiet Guest');
    await t.http.post(`/v1/reservations/${cancelled}/cancel`).set(alice()).set('X-Idempotency-Key', randomUUID()).expect(200);
    const expired = await hold('Late Guest');
    await t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 minute' WHERE id = $1`, [expired]);
    expect(await t.app.get(HoldExpiryJob).sweep()).toBeGreaterThanOrEqual(1);
    expect((await t.http.get(`/v1/reservations/${expired}`).set(alice()).expect(200)).body.status).toBe('expired');
    expect({ cancelled: await notificationCount(cancelled), expired: await notificationCount(expired) }).toEqual({
      cancelled: 0,
      expired: 0,
    });
  });

  it('shows a user only the emails about their own reservations; admins see all', async () => {
    const id = await hold('Private Guest');
    await pay(id);
    await emailsFor(id, 1);
    const bob = { Authorization: `Bearer ${t.token('bob')}` };
    expect(await emails(id, bob)).toEqual([]);
    const all = (await t.http.get('/v1/dev/emails').set(bob).expect(200)).body;
    expect(all.emails.filter((e: DevEmail) => e.to === 'jane@example.com')).toEqual([]);
    expect((await emails(id, admin())).map((e) => e.reservationId)).toEqual([id]);
    await t.http.get('/v1/dev/emails').query({ reservationId: 'not-a-uuid' }).set(alice()).expect(400);
  });

  it('queues no email while notifications.email is off, and sends again once it is back on, without a restart', async () => {
    const flag = (enabled: boolean) =>
      t.http.put('/v1/admin/flags/notifications.email').set(admin()).send({ enabled }).expect(200);
    await flag(false);
    try {
      const off = await hold('Flag Off');
      await pay(off);
      expect((await t.http.get(`/v1/reservations/${off}`).set(alice()).expect(200)).body.status).toBe('confirmed');
      expect(await notificationCount(off)).toBe(0);
    } finally {
      await flag(true);
    }
    const on = await hold('Flag On');
    await pay(on);
    expect((await emailsFor(on, 1)).map((e) => e.template)).toEqual(['reservation_confirmed']);
  });
});
